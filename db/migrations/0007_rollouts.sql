CREATE TYPE "public"."approval_status" AS ENUM('pending', 'approved', 'rejected', 'expired');--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"status" "approval_status" DEFAULT 'pending' NOT NULL,
	"model_name" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_by" text,
	"comment" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployment_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"deployment_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"from_routes" jsonb,
	"to_routes" jsonb NOT NULL,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "serving_stats" (
	"replica" text NOT NULL,
	"deployment" text NOT NULL,
	"version" integer NOT NULL,
	"mode" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"latency_buckets" jsonb NOT NULL,
	"latency_sum_ms" double precision DEFAULT 0 NOT NULL,
	"compared" integer DEFAULT 0 NOT NULL,
	"agreed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "serving_stats_replica_deployment_version_mode_window_start_pk" PRIMARY KEY("replica","deployment","version","mode","window_start")
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "routes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "rollout" jsonb;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_events" ADD CONSTRAINT "deployment_events_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_events" ADD CONSTRAINT "deployment_events_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_run_node_idx" ON "approvals" USING btree ("run_id","node_id");--> statement-breakpoint
CREATE INDEX "approvals_team_status_idx" ON "approvals" USING btree ("team_id","status");--> statement-breakpoint
CREATE INDEX "deployment_events_deployment_idx" ON "deployment_events" USING btree ("deployment_id","created_at");--> statement-breakpoint
CREATE INDEX "serving_stats_deployment_idx" ON "serving_stats" USING btree ("deployment","window_start");--> statement-breakpoint
UPDATE "deployments" SET "routes" = jsonb_build_array(jsonb_build_object('alias', "alias", 'weight', 100, 'mode', 'live')) WHERE "routes" = '[]'::jsonb;
