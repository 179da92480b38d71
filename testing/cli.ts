/**
 * Runs the `conveyor` CLI in-process (cli/main.ts) with recorded streams and
 * a scripted transport: every request the CLI would send is kept, and each
 * is answered by `answer` (status + JSON body, or a thrown error for "the
 * server cannot be reached"). For unit tests of argument parsing → requests,
 * output and exit codes; e2e/cli.spec.ts runs the real binary on a real stack.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { HttpRequest, HttpResponse, Transport } from "../cli/client";
import type { CliEnvironment } from "../cli/config";
import { main } from "../cli/main";

export interface Answer {
  status: number;
  body?: unknown;
  /** A raw text body instead of JSON. */
  text?: string;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  requests: RecordedRequest[];
}

export interface RecordedRequest extends HttpRequest {
  /** The URL's path and query. */
  target: string;
  /** A JSON body, parsed. */
  json?: unknown;
}

export const TEST_URL = "http://conveyor.test:3000";
export const NOW = new Date("2026-03-01T12:00:00Z");

export function tempConfigHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-cli-"));
}

/** Runs `conveyor ...argv`; `answer` is called for each request in order. */
export async function runCli(
  argv: string[],
  answer: (req: RecordedRequest, index: number) => Answer | Promise<Answer> = () => ({ status: 500, text: "unexpected request" }),
  opts: { env?: CliEnvironment; tty?: boolean } = {},
): Promise<CliRun> {
  const requests: RecordedRequest[] = [];
  let stdout = "";
  let stderr = "";
  const transport: Transport = async (req) => {
    const url = new URL(req.url);
    const recorded: RecordedRequest = { ...req, target: `${url.pathname}${url.search}` };
    if (typeof req.body === "string") recorded.json = JSON.parse(req.body);
    requests.push(recorded);
    const a = await answer(recorded, requests.length - 1);
    const text = a.text ?? (a.body === undefined ? "" : JSON.stringify(a.body));
    const res: HttpResponse = {
      status: a.status,
      contentType: a.text === undefined ? "application/json" : "text/plain",
      text: async () => text,
      bytes: async () => new TextEncoder().encode(text),
    };
    return res;
  };
  const env: CliEnvironment = { CONVEYOR_URL: TEST_URL, XDG_CONFIG_HOME: tempConfigHome(), ...opts.env };
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env,
    transport,
    now: () => NOW,
    sleep: async () => {},
  });
  return { code, stdout, stderr, requests };
}

/** Answers by `METHOD /path` (query ignored); anything else is a 404 in the API's error shape. */
export function routes(table: Record<string, Answer | ((req: RecordedRequest) => Answer)>) {
  return (req: RecordedRequest): Answer => {
    const key = `${req.method} ${new URL(req.url).pathname}`;
    const a = table[key];
    if (!a) return { status: 404, body: { error: { code: "not_found", message: `no route ${key} in the test` } } };
    return typeof a === "function" ? a(req) : a;
  };
}
