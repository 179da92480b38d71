CREATE TABLE "prediction_log_batches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "prediction_log_batches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"deployment_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"mode" text DEFAULT 'live' NOT NULL,
	"row_count" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"request_ids" text[] NOT NULL,
	"request_rows" integer[] NOT NULL,
	"indexed_request_ids" text[] NOT NULL,
	"data" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "prediction_log_batches" ADD CONSTRAINT "prediction_log_batches_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "prediction_log_batches_deployment_idx" ON "prediction_log_batches" USING btree ("deployment_id","first_at");--> statement-breakpoint
CREATE INDEX "prediction_log_batches_request_idx" ON "prediction_log_batches" USING gin ("indexed_request_ids");--> statement-breakpoint
-- Random request ids do not compress: storing them as they are saves PostgreSQL a futile pglz pass per batch (data compresses ~2.5×, so it keeps the default).
ALTER TABLE "prediction_log_batches" ALTER COLUMN "request_ids" SET STORAGE EXTERNAL;--> statement-breakpoint
-- Predictions logged before batches: one batch each, its request id indexed (the monitor, feedback and retention read them like any other).
INSERT INTO "prediction_log_batches" ("deployment_id", "version", "mode", "row_count", "first_at", "last_at", "request_ids", "request_rows", "indexed_request_ids", "data")
SELECT l."deployment_id", l."version", l."mode", 1, l."at", l."at", ARRAY[l."request_id"], ARRAY[l."row"], ARRAY[l."request_id"],
  json_build_object(
    'at', json_build_array(0),
    'latencyMs', json_build_array(l."latency_ms"),
    'inputs', COALESCE((SELECT json_object_agg(e.k, json_build_array(e.v)) FROM jsonb_each(l."inputs") AS e(k, v)), '{}'::json),
    'outputs', COALESCE((SELECT json_object_agg(e.k, json_build_array(e.v)) FROM jsonb_each(l."outputs") AS e(k, v)), '{}'::json)
  )::text
FROM "prediction_log" l ORDER BY l."id";
