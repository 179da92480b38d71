ALTER TABLE "datasets" ADD COLUMN "run_id" uuid;--> statement-breakpoint
ALTER TABLE "datasets" ADD COLUMN "node_id" text;--> statement-breakpoint
ALTER TABLE "run_steps" ADD COLUMN "checkpoint" jsonb;--> statement-breakpoint
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;