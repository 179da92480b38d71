import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { deploymentInputs } from "../../contract/api/resources";
import { describeError } from "./errors";

const fromServer = (message: string, data: Record<string, unknown>) => TRPCClientError.from({ error: { message, code: -32600, data } });

describe("describeError", () => {
  it("names the status and keeps the server's message", () => {
    const e = fromServer("the canary rollout of boston has already ended", { code: "CONFLICT", httpStatus: 409 });
    expect(describeError(e)).toEqual({ title: "Conflict (409)", message: "the canary rollout of boston has already ended", fields: [] });
  });

  it("lists the fields a service problem names", () => {
    const e = fromServer("deployment boston has no rollout in progress: say which version to promote", {
      code: "UNPROCESSABLE_CONTENT",
      httpStatus: 422,
      details: [{ nodeId: null, field: "version", message: "which version to promote" }],
    });
    expect(describeError(e)).toMatchObject({ title: "Refused (422)", fields: [{ field: "version", message: "which version to promote" }] });
  });

  it("turns the input schema's issues into fields", () => {
    const parsed = deploymentInputs.promote.safeParse({ name: "boston", reason: "" });
    expect(parsed.success).toBe(false);
    const e = fromServer(parsed.error!.message, { code: "BAD_REQUEST", httpStatus: 400 });
    const d = describeError(e);
    expect(d.title).toBe("Bad request (400)");
    expect(d.fields).toEqual([{ field: "reason", message: "say why (it is kept in the audit trail)" }]);
    expect(d.message).toBe("the request was refused: 1 field needs a fix");
  });

  it("describes plain errors", () => {
    expect(describeError(new Error("offline"))).toEqual({ title: "Failed", message: "offline", fields: [] });
  });
});
