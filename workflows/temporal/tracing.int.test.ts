/**
 * One trace across the processes, exported for real: an OTLP/HTTP receiver
 * (a plain node:http server taking the exporter's JSON POST /v1/traces)
 * gets the spans of a run started through the REST route handler — the
 * REST request, the workflow start (Temporal client interceptor), the
 * workflow and its activities (worker interceptors; workflow spans through
 * the sink), the deploy step's call to serving and serving's span of that
 * request — all under one trace id, each the child of the one before. The
 * process log of the same run is JSON lines with the ids.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sixStepSpec, startHarness, type Harness } from "../../testing/temporal-harness";
import { api, apiJson } from "../../testing/api";
import { logTo } from "../../infra/log";
import { startTracing, type Tracing } from "../../infra/telemetry";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}
interface OtlpRequest {
  resourceSpans: { resource: { attributes: OtlpSpan["attributes"] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const SERVER = 2;
const CLIENT = 3;
const attr = (s: OtlpSpan, key: string): unknown => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

const received: { service: unknown; span: OtlpSpan }[] = [];
const posts: string[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    posts.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpRequest;
    for (const rs of body.resourceSpans) {
      const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue;
      for (const ss of rs.scopeSpans) for (const span of ss.spans) received.push({ service, span });
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
});

const lines: string[] = [];
let restoreLogs: () => void;
let tracing: Tracing;
let h: Harness;

beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const { port } = receiver.address() as { port: number };
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.LOG_LEVEL = "info";
  restoreLogs = logTo({ write: (l) => void lines.push(l) });
  // In production web, worker and serving are processes of their own, each starting its tracing; here they share this one.
  tracing = startTracing("web")!;
  h = await startHarness({ localTeam: true });
});

afterAll(async () => {
  await h?.stop();
  await tracing?.shutdown();
  restoreLogs?.();
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  await new Promise((r) => receiver.close(r));
});

describe("traces and logs of a run", () => {
  it("web → Temporal → worker → serving share one trace, each span the child of the one before; logs carry the ids", async () => {
    expect(tracing).toBeTruthy();
    const name = `trace-${Math.random().toString(36).slice(2, 8)}`;
    const spec = sixStepSpec({
      name,
      source: "sample:penguins",
      train: { type: "train.linear", config: { task: "classification", target: "species" } },
      conditions: [{ metric: "accuracy", op: ">=", value: 0 }],
      model: name,
    });
    const { id } = await apiJson("POST", "/api/v1/pipelines", 201, { body: spec });
    const requestId = `test-${name}`;
    const res = await api("POST", `/api/v1/pipelines/${id}/runs`, { body: { params: {} }, headers: { "x-request-id": requestId } });
    expect(res.status).toBe(202);
    expect(res.headers.get("x-request-id")).toBe(requestId);
    const { runId, workflowId } = (await res.json()) as { runId: string; workflowId: string };
    expect((await h.waitForRun(runId)).status).toBe("succeeded");

    // The REST request's span is the trace's root.
    const find = () => received.map((r) => r.span);
    const rest = () => find().find((s) => s.name === "POST /api/v1/pipelines/{pipelineId}/runs" && attr(s, "conveyor.request_id") === requestId);
    // The workflow's span ends (and leaves the sandbox) when the run finishes; serving's when it has answered.
    await expect
      .poll(
        async () => {
          await tracing.flush();
          const root = rest();
          return root
            ? ["RunWorkflow:pipelineRun", "GET /v2/models/{name}"].every((n) => find().some((s) => s.traceId === root.traceId && s.name === n))
            : false;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    expect(posts.every((p) => p === "POST /v1/traces application/json")).toBe(true);

    const root = rest()!;
    expect(root.kind).toBe(SERVER);
    expect(root.parentSpanId ?? "").toBe("");
    const trace = find().filter((s) => s.traceId === root.traceId);
    const childOf = (parent: OtlpSpan, name: string, where: (s: OtlpSpan) => boolean = () => true) =>
      trace.filter((s) => s.name === name && s.parentSpanId === parent.spanId && where(s));

    const [start] = childOf(root, "StartWorkflow:pipelineRun");
    expect(start, "the client's StartWorkflow span under the REST span").toBeDefined();
    const [workflow] = childOf(start!, "RunWorkflow:pipelineRun");
    expect(workflow, "the workflow's span under StartWorkflow").toBeDefined();
    const scheduled = childOf(workflow!, "StartActivity:executeStep");
    expect(scheduled).toHaveLength(6);
    const steps = scheduled.flatMap((s) => childOf(s, "RunActivity:executeStep"));
    expect(steps.map((s) => attr(s, "conveyor.node_id")).sort()).toEqual(["deploy", "evaluate", "gate", "ingest", "split", "train"]);
    const deploy = steps.find((s) => attr(s, "conveyor.node_id") === "deploy")!;
    expect(attr(deploy, "conveyor.run_id")).toBe(runId);

    const calls = childOf(deploy, "GET /v2/models/{name}", (s) => s.kind === CLIENT);
    expect(calls.length).toBeGreaterThan(0);
    const served = calls.flatMap((c) => childOf(c, "GET /v2/models/{name}", (s) => s.kind === SERVER));
    expect(served.length, "serving continued the deploy step's traceparent").toBe(calls.length);
    expect(
      served.some(
        (s) => attr(s, "http.response.status_code") === 200 && attr(s, "conveyor.deployment") === name && attr(s, "http.route") === "/v2/models/{name}",
      ),
    ).toBe(true);

    // Logs: JSON lines with the ids, the worker's and serving's tied to the trace.
    const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.find((l) => l.component === "web" && l.requestId === requestId)).toMatchObject({ msg: "request", operation: "startRun", status: 202 });
    const deployDone = logs.find((l) => l.component === "worker" && l.nodeId === "deploy" && l.msg === "step succeeded");
    expect(deployDone).toMatchObject({ level: "info", runId, workflowId, attempt: 1, stepType: "deploy.endpoint@2", trace_id: root.traceId });
    expect(deployDone!.span_id).toBe(deploy.spanId);
    // The step's own log lines (the run view's) are in the process log too.
    expect(
      logs.some((l) => l.component === "worker" && l.nodeId === "deploy" && l.runId === runId && String(l.msg).startsWith(`registered ${name} version 1`)),
    ).toBe(true);
    const access = logs.filter((l) => l.component === "serving" && l.msg === "request" && l.trace_id === root.traceId);
    expect(access.length).toBe(calls.length);
    expect(access.find((l) => l.status === 200)).toMatchObject({ method: "GET", path: `/v2/models/${name}`, deployment: name, model: name, version: 1 });
    expect(access.every((l) => typeof l.requestId === "string" && l.requestId.length > 0)).toBe(true);
  });
});
