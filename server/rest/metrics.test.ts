/**
 * GET /metrics of the web app (app/metrics/route.ts): REST API requests
 * counted and timed by route template and status as `rest()` answers them,
 * and the process metrics, in the Prometheus text format. The requests here
 * need no database (the API description, and health with everything down).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/process-utils";

const saved = { ...process.env };
beforeAll(async () => {
  const closed = await freePort();
  Object.assign(process.env, {
    DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${closed}/conveyor`,
    TEMPORAL_ADDRESS: `127.0.0.1:${closed}`,
    SERVING_URL: `http://127.0.0.1:${closed}`,
  });
});
afterAll(() => {
  process.env = saved;
});

describe("the web app's /metrics", () => {
  it("counts and times API requests by method, route and status, next to the process metrics", async () => {
    const openapi = (await import("../../app/api/v1/openapi.json/route")).GET;
    const health = (await import("../../app/api/health/route")).GET;
    for (let i = 0; i < 2; i++) expect((await openapi(new Request("http://localhost/api/v1/openapi.json"))).status).toBe(200);
    expect((await health(new Request("http://localhost/api/health"))).status).toBe(503);

    const { GET } = await import("../../app/metrics/route");
    const res = await GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^conveyor_api_requests_total\{method="GET",route="\/api\/v1\/openapi\.json",code="200"\} 2$/m);
    expect(text).toMatch(/^conveyor_api_requests_total\{method="GET",route="\/api\/health",code="503"\} 1$/m);
    expect(text).toMatch(/^conveyor_api_request_duration_seconds_count\{method="GET",route="\/api\/v1\/openapi\.json",code="200"\} 2$/m);
    expect(text).toMatch(/^conveyor_api_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/health",code="503"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^process_cpu_seconds_total [\d.e-]+$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
  });
});
