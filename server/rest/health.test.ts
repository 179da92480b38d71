/**
 * GET /api/health and the API description answer for nobody in particular:
 * with the database down (and so no team to look up) health still answers
 * 503 naming what is down, instead of a 500 from the caller lookup.
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

describe("endpoints that act for no caller", () => {
  it("health answers 503 naming the database, Temporal, workers and serving when all are down", async () => {
    const { GET } = await import("../../app/api/health/route");
    const res = await GET(new Request("http://localhost/api/health"));
    expect(res.status).toBe(503);
    const body = (await res.json()) as Record<string, string>;
    expect(body.db).toMatch(/^database unreachable: (connect )?ECONNREFUSED/);
    expect(body.worker).toMatch(/^cannot read the workers table: (connect )?ECONNREFUSED/);
    expect(body.serving).toMatch(/^serving unreachable at http:\/\/127\.0\.0\.1:\d+: (ECONNREFUSED|connect ECONNREFUSED)/);
    expect(Object.keys(body).sort()).toEqual(["db", "serving", "temporal", "worker"]);
  });

  it("the OpenAPI document is served without the database", async () => {
    const { GET } = await import("../../app/api/v1/openapi.json/route");
    const res = await GET(new Request("http://localhost/api/v1/openapi.json"));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toBe("3.1.0");
  });
});
