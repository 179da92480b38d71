import { describe, expect, it } from "vitest";
import { createLogger, infoLine, prettyLine, requestIdOf, requestIdTime } from "./log";

describe("process logs", () => {
  it("writes one JSON object per line: level label, ISO time, pid, the bindings and the message", () => {
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (l) => void lines.push(l) } }).child({ component: "worker", runId: "r1" });
    log.child({ nodeId: "train", attempt: 2 }).warn({ ms: 12 }, "slow");
    log.debug("not at info");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(o).toMatchObject({ level: "warn", pid: process.pid, component: "worker", runId: "r1", nodeId: "train", attempt: 2, ms: 12, msg: "slow" });
    expect(new Date(o.time as string).toISOString()).toBe(o.time);
  });

  it("serializes errors under err with their stack", () => {
    const lines: string[] = [];
    createLogger({ destination: { write: (l) => void lines.push(l) } }).error({ err: new TypeError("boom") }, "failed");
    const o = JSON.parse(lines[0]!) as { err: { type: string; message: string; stack: string } };
    expect(o.err).toMatchObject({ type: "TypeError", message: "boom" });
    expect(o.err.stack).toContain("log.test.ts");
  });

  it("infoLine writes the line log.info would, field for field", () => {
    const lines: string[] = [];
    const log = createLogger({ destination: { write: (l) => void lines.push(l) } }).child({ component: "serving" });
    const fields = { requestId: "r-1", path: '/v1/predict/a "b"\\c', status: 200, ms: 1.25, model: undefined, version: 3, bad: Number.NaN };
    log.info(fields, "request");
    infoLine(log, "request")(fields);
    expect(lines).toHaveLength(2);
    const [viaPino, fast] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect({ ...fast, time: undefined }).toEqual({ ...viaPino, time: undefined });
    expect(Object.keys(fast!)).toEqual(Object.keys(viaPino!));
    expect(lines[1]!.endsWith("}\n")).toBe(true);
    const quiet = createLogger({ level: "warn", destination: { write: (l) => void lines.push(l) } });
    infoLine(quiet, "request")(fields);
    expect(lines).toHaveLength(2);
  });

  it("pretty: one short line with the component, message and fields; an error's stack below", () => {
    const json = JSON.stringify({
      level: "info",
      time: "2026-05-01T12:34:56.789Z",
      pid: 1,
      component: "serving",
      requestId: "abc",
      path: "/v2/x y",
      status: 200,
      msg: "request",
    });
    expect(prettyLine(json).replace(/\x1b\[[0-9;]*m/g, "")).toBe('12:34:56.789 INFO  serving request requestId=abc path="/v2/x y" status=200\n');
    const err = JSON.stringify({
      level: "error",
      time: "2026-05-01T12:34:56.789Z",
      component: "web",
      msg: "startRun failed",
      err: { message: "boom", stack: "Error: boom\n    at f (x.ts:1:1)" },
    });
    expect(prettyLine(err).replace(/\x1b\[[0-9;]*m/g, "")).toBe("12:34:56.789 ERROR web startRun failed boom\n    at f (x.ts:1:1)\n");
  });

  it("keeps a sane x-request-id and replaces anything else with a UUID", () => {
    expect(requestIdOf("req-1.a:b/c")).toBe("req-1.a:b/c");
    for (const bad of [undefined, null, "", "a b", "x".repeat(129), "a\nb", ["a"], "ü"]) expect(requestIdOf(bad)).toMatch(/^[0-9a-f-]{36}$/);
    // A new id is a UUIDv7 that says when it was made.
    const t0 = Date.now();
    const made = requestIdOf(undefined);
    expect(made).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdTime(made)).toBeGreaterThanOrEqual(t0);
    expect(requestIdTime(made)).toBeLessThanOrEqual(Date.now());
    expect(requestIdTime("017f22e2-79b0-7cc3-98c4-dc0c0c07398f")).toBe(0x017f22e279b0);
    for (const other of ["req-1", crypto.randomUUID(), "017f22e2-79b0-7cc3-c8c4-dc0c0c07398f"]) expect(requestIdTime(other)).toBeNull();
  });
});
