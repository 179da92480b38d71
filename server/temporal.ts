/**
 * One Temporal client per process, connected lazily. When the process traces
 * (infra/telemetry.ts), starting a workflow is a span whose context travels
 * in the workflow's headers (the worker's interceptors continue it).
 */
import { Client, Connection, type WorkflowClientInterceptor } from "@temporalio/client";
import { env } from "../infra/env";
import { temporalConnectionOptions } from "../infra/temporal-connection";
import { tracing } from "../infra/telemetry";

let client: Promise<Client> | undefined;

export function temporalClient(): Promise<Client> {
  client ??= (async () => {
    const e = env();
    const connection = await Connection.connect({ ...temporalConnectionOptions(e), connectTimeout: "5s" });
    const workflow: WorkflowClientInterceptor[] = [];
    if (tracing()) {
      const { OpenTelemetryWorkflowClientInterceptor } = await import("@temporalio/interceptors-opentelemetry/lib/client");
      workflow.push(new OpenTelemetryWorkflowClientInterceptor());
    }
    return new Client({ connection, namespace: e.TEMPORAL_NAMESPACE, interceptors: { workflow } });
  })().catch((err) => {
    client = undefined;
    throw err;
  });
  return client;
}
