/**
 * The Temporal SDK's own log (worker lifecycle, workflow and activity
 * events, the Rust core's warnings) into the process logger: its metadata
 * become fields of the JSON line. Two renames keep Conveyor's field names
 * unambiguous: the SDK's `runId` (a Temporal workflow run) is `workflowRunId`
 * (Conveyor's `runId` is a pipeline run), and an `error` is `err` (serialized
 * with its stack). What the SDK says at INFO that tells an operator nothing —
 * the workflow bundle's webpack report, "Worker state changed" — is debug.
 */
import { Runtime, type LogLevel, type LogMetadata, type Logger as TemporalLogger } from "@temporalio/worker";
import { logger, type Logger } from "../../infra/log";

const DEMOTED = [/^Workflow bundle created$/, /^Worker state changed$/, /\bwebpack \d+\.\d+\.\d+ compiled\b/];
const LEVELS = { TRACE: "trace", DEBUG: "debug", INFO: "info", WARN: "warn", ERROR: "error" } as const satisfies Record<LogLevel, string>;

function fields(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (k === "runId") out.workflowRunId = v;
    else if (k === "error" || k === "err") out.err = v;
    else if (k !== "taskToken") out[k] = v;
  }
  return out;
}

/** A Temporal SDK Logger writing to `log` (a pino logger). */
export function temporalLogger(log: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const to = level === "INFO" && DEMOTED.some((re) => re.test(message)) ? "debug" : LEVELS[level];
    if (log.isLevelEnabled(to)) log[to](fields(meta), message);
  };
  return {
    log: write,
    trace: (m, meta) => write("TRACE", m, meta),
    debug: (m, meta) => write("DEBUG", m, meta),
    info: (m, meta) => write("INFO", m, meta),
    warn: (m, meta) => write("WARN", m, meta),
    error: (m, meta) => write("ERROR", m, meta),
  };
}

/** Routes the SDK's log of this process into the worker's logger (before any worker or connection is created). */
export function installRuntimeLogger(): void {
  Runtime.install({ logger: temporalLogger(logger("worker")) });
}
