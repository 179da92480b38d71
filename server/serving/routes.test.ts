import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RequestError } from "./errors";
import { matchRoute } from "./routes";

describe("matchRoute", () => {
  it.each([
    ["GET", "/v2", { kind: "server-metadata" }],
    ["GET", "/v2/", { kind: "server-metadata" }],
    ["GET", "/v2/health/live", { kind: "live" }],
    ["HEAD", "/v2/health/ready", { kind: "ready" }],
    ["GET", "/metrics", { kind: "metrics" }],
    ["GET", "/v2/models/flights", { kind: "model-metadata", name: "flights" }],
    ["GET", "/v2/models/flights?x=1", { kind: "model-metadata", name: "flights" }],
    ["GET", "/v2/models/flights/versions/3", { kind: "model-metadata", name: "flights", version: 3 }],
    ["GET", "/v2/models/flights/ready", { kind: "model-ready", name: "flights" }],
    ["GET", "/v2/models/flights/versions/12/ready", { kind: "model-ready", name: "flights", version: 12 }],
    ["POST", "/v2/models/flights/infer", { kind: "infer", name: "flights" }],
    ["POST", "/v2/models/flights/versions/2/infer", { kind: "infer", name: "flights", version: 2 }],
    ["POST", "/v1/predict/flights", { kind: "predict", name: "flights" }],
    ["POST", "/v1/predict/flights/versions/4", { kind: "predict", name: "flights", version: 4 }],
    ["POST", "/v2/models/flight%20delay/infer", { kind: "infer", name: "flight delay" }],
    // A model may be called "ready" or "infer": the segment count decides.
    ["GET", "/v2/models/ready", { kind: "model-metadata", name: "ready" }],
    ["POST", "/v2/models/infer/infer", { kind: "infer", name: "infer" }],
  ])("%s %s", (method, url, route) => {
    expect(matchRoute(method, url)).toEqual({ ok: true, route });
  });

  it.each([
    ["GET", "/"],
    ["GET", "/v3/models/a"],
    ["GET", "/v2/models"],
    ["GET", "/v2/models/"],
    ["GET", "/v2/models//infer"],
    ["GET", "/v2/models/a/versions"],
    ["GET", "/v2/models/a/versions/1/2"],
    ["POST", "/v2/models/a/explain"],
    ["POST", "/v1/predict"],
    ["POST", "/v1/predict/a/b"],
  ])("%s %s is 404", (method, url) => {
    expect(matchRoute(method, url)).toMatchObject({ ok: false, status: 404 });
  });

  it("answers 405 with Allow for a wrong method", () => {
    expect(matchRoute("GET", "/v2/models/a/infer")).toEqual({ ok: false, status: 405, error: expect.stringContaining("POST"), allow: "POST" });
    expect(matchRoute("POST", "/v2/models/a")).toMatchObject({ ok: false, status: 405, allow: "GET, HEAD" });
    expect(matchRoute("DELETE", "/v2/health/live")).toMatchObject({ ok: false, status: 405 });
  });

  it.each([
    "/v2/models/a/versions/0",
    "/v2/models/a/versions/-1",
    "/v2/models/a/versions/1.5",
    "/v2/models/a/versions/x/infer",
    "/v2/models/a/versions/99999999999",
  ])("rejects the version in %s with a 400", (url) => {
    expect(() => matchRoute("GET", url)).toThrow(RequestError);
    expect(() => matchRoute("GET", url)).toThrow(/version/);
  });

  it("rejects malformed percent-encoding with a 400", () => {
    expect(() => matchRoute("GET", "/v2/models/%E0%A4%A")).toThrow(/percent-encoding/);
  });

  it("never throws anything but a RequestError for any URL", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("GET", "POST", "PUT", "HEAD"),
        fc.array(fc.oneof(fc.string(), fc.constantFrom("v2", "models", "versions", "infer", "ready", "1", "%", "%zz", "")), { maxLength: 8 }),
        (method, parts) => {
          try {
            const m = matchRoute(method, `/${parts.join("/")}`);
            expect(typeof m.ok).toBe("boolean");
          } catch (e) {
            expect(e).toBeInstanceOf(RequestError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
