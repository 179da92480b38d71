/**
 * Temporal's OpenTelemetry interceptors for a worker of a process that traces
 * (infra/telemetry.ts; nothing otherwise): the workflow's spans
 * (RunWorkflow, StartActivity) continue the trace the client put in the
 * workflow's headers and leave the workflow sandbox through the `exporter`
 * sink into this process's span processor; each activity runs in its own
 * span (RunActivity), the active context of everything the step does.
 */
import { createRequire } from "node:module";
import type { WorkerOptions } from "@temporalio/worker";
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from "@temporalio/interceptors-opentelemetry/lib/worker";
import { tracing } from "../../infra/telemetry";

const require = createRequire(import.meta.url);

export function workerTracingOptions(): Pick<WorkerOptions, "interceptors" | "sinks"> {
  const t = tracing();
  if (!t) return {};
  return {
    interceptors: {
      // Bundled into the workflow code with the workflows (worker.ts's workflowsPath).
      workflowModules: [require.resolve("@temporalio/interceptors-opentelemetry/lib/workflow-interceptors")],
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: makeWorkflowExporter(t.processor, t.resource) },
  };
}
