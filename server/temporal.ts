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
/** Where `client` connects: a process whose TEMPORAL_ADDRESS or namespace changed (a benchmark's private server, a test's) gets a new client. */
let target: string | undefined;

export function temporalClient(): Promise<Client> {
  const e = env();
  const want = `${e.temporalAddress}\u0000${e.TEMPORAL_NAMESPACE}`;
  if (client && target !== want) {
    const old = client;
    client = undefined;
    void old.then((c) => c.connection.close()).catch(() => {});
  }
  target = want;
  client ??= (async () => {
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
