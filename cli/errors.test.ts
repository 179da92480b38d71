import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from "../contract/api/common";
import { endpoints } from "../contract/api/endpoints";
import { runCli, routes } from "../testing/cli";
import { buildRequest, parseResponse, type HttpResponse } from "./client";
import { ApiError, EXIT, errorLines, exitCodeOf, formatProblem } from "./errors";
import { buildProgram } from "./main";

const response = (status: number, body: unknown): HttpResponse => ({
  status,
  contentType: "application/json",
  text: async () => (typeof body === "string" ? body : JSON.stringify(body)),
  bytes: async () => new Uint8Array(),
});

const EXPECTED_EXIT: Record<ErrorCode, number> = {
  bad_request: 2,
  unauthorized: 3,
  forbidden: 3,
  not_found: 1,
  method_not_allowed: 3,
  conflict: 1,
  payload_too_large: 2,
  unsupported_media_type: 3,
  invalid: 1,
  internal: 3,
  unavailable: 3,
};

describe("API errors → messages and exit codes", () => {
  it("formats a problem the way the canvas lists it", () => {
    expect(formatProblem({ nodeId: "train", field: "config.target", message: "target is required" })).toBe("node train: config.target: target is required");
    expect(formatProblem({ nodeId: null, field: "params.month", message: "must be a number" })).toBe("params.month: must be a number");
    expect(formatProblem({ nodeId: null, field: null, message: "the pipeline has no nodes" })).toBe("the pipeline has no nodes");
  });

  it.each(ERROR_CODES)("%s: its message, every detail on its own line, a hint, and its exit code", async (code) => {
    const req = buildRequest("http://x", endpoints.getPipeline, { id: "p1" });
    const details = [
      { nodeId: "train", field: "config.target", message: "target is required" },
      { nodeId: null, field: "name", message: "must not be empty" },
    ];
    const err = await parseResponse(
      endpoints.getPipeline,
      req,
      response(ERROR_STATUS[code], { error: { code, message: `the ${code} message`, details } }),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.code).toBe(code);
    expect(e.exitCode).toBe(EXPECTED_EXIT[code]);
    expect(exitCodeOf(code)).toBe(EXPECTED_EXIT[code]);
    const lines = errorLines(e);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toContain(`the ${code} message`);
    expect(lines).toContain("  node train: config.target: target is required");
    expect(lines).toContain("  name: must not be empty");
    const hints: Partial<Record<ErrorCode, string>> = {
      not_found: "`conveyor pipelines list` shows what exists",
      unauthorized: "conveyor login <url> --token",
      forbidden: "conveyor login --token",
      unavailable: "`conveyor login` checks",
      method_not_allowed: "same version",
      unsupported_media_type: "same version",
    };
    if (hints[code]) expect(lines.join("\n")).toContain(hints[code]);
  });

  it("a 404 names the thing and the list command of its kind", async () => {
    const r = await runCli(["models", "show", "nope"], () => ({ status: 404, body: { error: { code: "not_found", message: "model nope does not exist" } } }));
    expect(r.code).toBe(EXIT.failure);
    expect(r.stderr).toBe("error: model nope does not exist\n  `conveyor models list` shows what exists\n");
  });

  it("a 409 says what the conflict is", async () => {
    const r = await runCli(["runs", "cancel", "0b6f8d2e-4a35-4c1e-9d4f-7f0c1a2b3c4d"], () => ({
      status: 409,
      body: { error: { code: "conflict", message: "run 0b6f8d2e-4a35-4c1e-9d4f-7f0c1a2b3c4d already succeeded" } },
    }));
    expect(r.code).toBe(EXIT.failure);
    expect(r.stderr).toBe("error: run 0b6f8d2e-4a35-4c1e-9d4f-7f0c1a2b3c4d already succeeded\n");
  });

  it("an unreachable server: exit 3, naming the URL and what to do", async () => {
    const r = await runCli(["pipelines", "list"], () => {
      throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    });
    expect(r.code).toBe(EXIT.server);
    expect(r.stderr).toBe("error: cannot reach http://conveyor.test:3000 (ECONNREFUSED) — is `npm run dev` running? set the URL with `conveyor login <url>`\n");
  });

  it("an answer that is not the API's (HTML, wrong shape) is a server error, exit 3", async () => {
    const html = await runCli(["pipelines", "list"], () => ({ status: 502, text: "<html>Bad Gateway</html>" }));
    expect(html.code).toBe(EXIT.server);
    expect(html.stderr).toContain("HTTP 502 from GET /api/v1/pipelines: <html>Bad Gateway</html>");
    expect(html.stderr).toContain("a Conveyor server?");
    const shape = await runCli(["pipelines", "list"], routes({ "GET /api/v1/pipelines": { status: 200, body: [{ id: 1 }] } }));
    expect(shape.code).toBe(EXIT.server);
    expect(shape.stderr).toContain("is not what this CLI expects (0.id:");
  });

  it("usage errors exit 2: unknown commands and options, missing arguments, bad values, no command", async () => {
    for (const argv of [
      ["pipelinez"],
      ["pipelines", "list", "--bogus"],
      ["pipelines", "pull"],
      ["run", "p", "--version", "x"],
      ["runs", "list", "--status", "done"],
      ["models", "promote", "m", "1"],
      [],
      ["pipelines"],
    ]) {
      const r = await runCli(argv);
      expect({ argv, code: r.code, requests: r.requests.length }).toEqual({ argv, code: EXIT.usage, requests: 0 });
      expect(r.stderr.length).toBeGreaterThan(0);
    }
  });

  it("every command has --json and help with examples", async () => {
    const leaves: string[][] = [];
    const walk = (cmd: Command, at: string[]) => {
      for (const sub of cmd.commands) {
        if (sub.name() === "help") continue;
        if (sub.commands.length) walk(sub, [...at, sub.name()]);
        else leaves.push([...at, sub.name()]);
      }
    };
    walk(buildProgram({ stdout: { write: () => true }, stderr: { write: () => true }, env: {} }), []);
    expect(leaves).toEqual(
      expect.arrayContaining([
        ["deployments", "promote"],
        ["approvals", "reject"],
        ["models", "reproduce"],
        ["models", "version"],
      ]),
    );
    for (const argv of leaves) {
      const help = await runCli([...argv, "--help"]);
      expect({ argv, code: help.code }).toEqual({ argv, code: 0 });
      expect(help.stdout).toContain("--json");
      expect(help.stdout).toContain(`Examples:\n  $ conveyor ${argv.join(" ")}`);
    }
  });

  it("--help and --version exit 0", async () => {
    const help = await runCli(["models", "promote", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--reason <text>");
    expect(help.stdout).toContain("Examples:");
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
