CREATE TABLE "webhook_tokens" (
	"pipeline_id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"token_sha256" text NOT NULL,
	"hint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	CONSTRAINT "webhook_tokens_token_sha256_unique" UNIQUE("token_sha256")
);
--> statement-breakpoint
ALTER TABLE "datasets" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Earlier uploads under one name become its versions 1, 2, … in upload order.
UPDATE "datasets" d SET "version" = v.n FROM (SELECT "id", row_number() OVER (PARTITION BY "team_id", "name" ORDER BY "created_at", "id") AS n FROM "datasets") v WHERE d."id" = v."id";--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "trigger_detail" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_tokens" ADD CONSTRAINT "webhook_tokens_pipeline_id_pipelines_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "public"."pipelines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_tokens" ADD CONSTRAINT "webhook_tokens_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_tokens" ADD CONSTRAINT "webhook_tokens_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "datasets_team_name_version_idx" ON "datasets" USING btree ("team_id","name","version");