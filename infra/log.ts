/**
 * Process logs (pino): one JSON object per line on stdout, or with
 * LOG_FORMAT=pretty a short line for people. Every line says which process
 * part wrote it (`component`: web, worker, serving) and, where known, the ids
 * to find it by: runId, nodeId, attempt, workflowId, requestId,
 * deployment/model/version, and the active trace's trace_id/span_id.
 *
 *   {"level":"info","time":"2026-05-01T12:00:00.000Z","pid":4242,"component":"serving","requestId":"…","method":"POST",…,"msg":"request"}
 *
 * A step's own log (what the run view shows) is stored with the step; the
 * worker also writes each of those lines here, with the step's ids.
 */
import { v7 as uuidv7 } from "uuid";
import { context, isSpanContextValid, trace } from "@opentelemetry/api";
import pino, { type DestinationStream, type Logger } from "pino";
import pc from "picocolors";
import { env } from "./env";

export type { Logger, DestinationStream };

export type Component = "web" | "worker" | "serving";
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

const NONE: Record<string, string> = Object.freeze({});

/**
 * Where infra/telemetry.ts keeps the tracing a process started (on globalThis:
 * Next bundles instrumentation.ts and the route handlers apart, each with its
 * own copy of these modules).
 */
export const TRACING_SLOT = Symbol.for("conveyor.tracing");

/** The active span's ids (when tracing), so a log line leads to its trace. */
function traceFields(): Record<string, string> {
  if (!(TRACING_SLOT in globalThis)) return NONE;
  const span = trace.getSpan(context.active());
  if (!span) return NONE;
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : NONE;
}

let isoMs = 0;
let isoText = "";
/** `,"time":"<ISO 8601>"`, formatted once per millisecond (serving logs thousands of lines a second). */
function isoTime(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = `,"time":"${new Date(now).toISOString()}"`;
  }
  return isoText;
}

/** A logger writing JSON lines to `destination`; the process logger is one of these, tests and the benchmark make their own. */
export function createLogger(opts: { level?: LogLevel; destination: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level ?? "info",
      base: { pid: process.pid },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
      // Nothing to merge (no active span): the line's own object as it is, not a copy.
      mixinMergeStrategy: (fields, mixed) => (mixed === NONE ? fields : Object.assign(mixed, fields)),
    },
    opts.destination,
  );
}

const LEVEL_COLORS: Record<string, (s: string) => string> = {
  trace: pc.gray,
  debug: pc.gray,
  info: pc.green,
  warn: pc.yellow,
  error: pc.red,
  fatal: (s) => pc.bgRed(pc.white(s)),
};
const SKIP = new Set(["level", "time", "pid", "component", "msg", "err"]);

function fieldText(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** One JSON log line as a short line for people: `12:00:00.000 INFO  serving  request method=POST status=200 …` (an error's stack on the lines after). */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const text = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : fieldText(v));
  const level = text(o.level) || "info";
  const time = typeof o.time === "string" ? o.time.slice(11, 23) : "";
  const fields = Object.entries(o)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined)
    .map(([k, v]) => `${pc.dim(`${k}=`)}${fieldText(v)}`)
    .join(" ");
  const err = o.err as { message?: string; stack?: string } | undefined;
  const parts = [
    pc.dim(time),
    (LEVEL_COLORS[level] ?? ((s: string) => s))(level.toUpperCase().padEnd(5)),
    o.component ? pc.cyan(text(o.component)) : "",
    text(o.msg),
  ];
  if (err?.message && !text(o.msg).includes(err.message)) parts.push(pc.red(err.message));
  if (fields) parts.push(fields);
  const line = parts.filter(Boolean).join(" ");
  const stack = err?.stack ? `\n${err.stack.split("\n").slice(1).join("\n")}` : "";
  return `${line}${stack}\n`;
}

/**
 * Lines gathered and written to `out` together: every `everyMs`, when
 * `maxChars` have gathered, and at exit. A line then costs its serialization
 * and a string append, not a write: serving logs a line per request on its
 * hot path (bench/serving.ts measures it). A process killed with SIGKILL
 * loses at most the last `everyMs` of lines.
 */
export function batched(out: DestinationStream & { flushSync?(): void }, everyMs = 50, maxChars = 64 * 1024): DestinationStream & { flush(): void } {
  let buf = "";
  const flush = () => {
    if (!buf) return;
    const text = buf;
    buf = "";
    out.write(text);
  };
  setInterval(flush, everyMs).unref();
  process.on("exit", flush);
  return {
    write(line) {
      buf += line;
      if (buf.length >= maxChars) flush();
    },
    flush,
  };
}

/** Where the process logger writes: stdout, as JSON lines (batched, written synchronously) or reformatted by prettyLine. */
function stdoutDestination(format: "json" | "pretty"): DestinationStream {
  if (format === "json") return batched(pino.destination({ dest: 1, sync: true }));
  return { write: (line: string) => void process.stdout.write(prettyLine(line)) };
}

const state: { target?: DestinationStream; root?: Logger } = {};
/** The process logger's one destination; logTo() swaps what it writes to. */
const sink: DestinationStream = {
  write(line) {
    state.target ??= stdoutDestination(env().logFormat);
    state.target.write(line);
  },
};

/**
 * The process logger of one component (a child of the process's root logger,
 * at LOG_LEVEL); `bindings` are fields every line of it carries.
 */
export function logger(component: Component, bindings?: Record<string, unknown>): Logger {
  state.root ??= createLogger({ level: env().LOG_LEVEL, destination: sink });
  return state.root.child({ component, ...bindings });
}

/** Sends the process logger's JSON lines to `destination` until the returned function is called (tests read them). */
export function logTo(destination: DestinationStream): () => void {
  const before = state.target;
  state.target = destination;
  return () => {
    state.target = before;
  };
}

/**
 * A writer of one kind of info line for a hot path (serving's access log, a
 * line per request): the same JSON line as `log.info(fields, msg)` — level,
 * time, the logger's bindings, the fields in order, msg — but built as one
 * string instead of through pino's general serializer, which costs several
 * µs a line there (bench/serving.ts). Field values are strings (escaped) or
 * numbers; undefined ones are left out; keys are the caller's identifiers.
 * The active span's ids are not added: pass them as fields. A no-op when the
 * logger is above info.
 */
export function infoLine(log: Logger, msg: string): (fields: Record<string, string | number | undefined>) => void {
  if (!log.isLevelEnabled("info")) return () => {};
  const internals = log as unknown as Record<symbol, unknown>;
  const bindings = internals[pino.symbols.chindingsSym] as string;
  const stream = internals[pino.symbols.streamSym] as DestinationStream;
  const tail = `,"msg":${JSON.stringify(msg)}}\n`;
  return (fields) => {
    let line = `{"level":"info"${isoTime()}${bindings}`;
    for (const key in fields) {
      const v = fields[key];
      if (v === undefined) continue;
      line += `,"${key}":${typeof v === "number" ? (Number.isFinite(v) ? String(v) : "null") : JSON.stringify(v)}`;
    }
    stream.write(line + tail);
  };
}

/** An incoming `x-request-id` worth keeping: short, and nothing a header or a log line could trip on. */
const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * The id of a request: the caller's `x-request-id` when it is a sane one,
 * else a new UUIDv7 (its first 48 bits are when it was made, in ms: the
 * prediction log finds a prediction by the time in its id, with no index
 * entry per prediction; see requestIdTime).
 */
export function requestIdOf(incoming: unknown): string {
  return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : uuidv7();
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When a UUIDv7 was made (ms since the epoch), from its first 48 bits; null for any other id. */
export function requestIdTime(id: string): number | null {
  return UUID_V7.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : null;
}

/** A logger that writes nothing (tests and benchmarks that want a quiet server). */
export function silentLogger(): Logger {
  return createLogger({ level: "silent", destination: { write() {} } });
}
