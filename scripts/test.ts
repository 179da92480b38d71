/**
 * `npm test`: every suite, in order — unit (vitest), integration (vitest, real
 * PostgreSQL + Temporal), e2e (Playwright in Chromium) — each with a human
 * reporter on the console and a JSON report in test-results/reports/. Counts
 * are summed and the LAST line printed is exactly
 *
 *     N passed, N failed            (", N skipped" appended when there are skips)
 *
 * A suite that crashes (non-zero exit without failed tests, unreadable report,
 * a file that fails to load, a global setup/web server error) counts as one
 * failure. A suite without tests counts 0. Exit code 1 if anything failed.
 * Type-checking is `npm run lint`, not part of this.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const reportsDir = path.join(root, "test-results", "reports");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Why the suite counts as crashed, if it does. */
  crash?: string;
}

interface Suite {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  report: string;
  parse: (report: unknown) => Counts;
}

// ---------------------------------------------------------------------------
// Report parsing (exported for tests)

interface VitestJson {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  success?: boolean;
  testResults?: Array<{ name?: string; status?: string; message?: string; assertionResults?: Array<{ status?: string }> }>;
}

export function vitestCounts(report: unknown): Counts {
  const r = report as VitestJson;
  const counts: Counts = {
    passed: r.numPassedTests ?? 0,
    failed: r.numFailedTests ?? 0,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
  // A file that failed to import/collect has status "failed" and no failed test in it.
  const broken = (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"));
  if (broken.length) {
    counts.failed += broken.length;
    counts.crash = `${broken.length} test file(s) failed to run: ${broken.map((f) => path.relative(root, f.name ?? "?")).join(", ")}`;
  }
  return counts;
}

interface PlaywrightJson {
  stats?: { expected?: number; unexpected?: number; flaky?: number; skipped?: number };
  errors?: Array<{ message?: string }>;
}

export function playwrightCounts(report: unknown): Counts {
  const r = report as PlaywrightJson;
  const counts: Counts = {
    passed: (r.stats?.expected ?? 0) + (r.stats?.flaky ?? 0),
    failed: r.stats?.unexpected ?? 0,
    skipped: r.stats?.skipped ?? 0,
  };
  const errors = r.errors ?? [];
  if (errors.length) {
    counts.failed += 1;
    counts.crash = `run error: ${(errors[0]?.message ?? "").split("\n")[0]}`;
  }
  return counts;
}

export function summaryLine(total: Counts): string {
  return `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`;
}

// ---------------------------------------------------------------------------

function suites(): Suite[] {
  const vitest = (project: string): Suite => {
    const report = path.join(reportsDir, `${project}.json`);
    return {
      name: project,
      command: bin("vitest"),
      args: ["run", "--project", project, "--passWithNoTests", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
      report,
      parse: vitestCounts,
    };
  };
  const e2eReport = path.join(reportsDir, "e2e.json");
  return [
    vitest("unit"),
    vitest("integration"),
    {
      name: "e2e",
      command: bin("playwright"),
      args: ["test", "--reporter=list,json", "--pass-with-no-tests"],
      env: { PLAYWRIGHT_JSON_OUTPUT_FILE: e2eReport },
      report: e2eReport,
      parse: playwrightCounts,
    },
  ];
}

function run(suite: Suite): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(suite.command, suite.args, { cwd: root, stdio: "inherit", env: { ...process.env, ...suite.env } });
    // A terminal Ctrl-C reaches the child directly (same process group); only relay SIGTERM.
    const forward = () => child.kill("SIGTERM");
    process.on("SIGTERM", forward);
    child.once("error", (e) => {
      console.error(`[test] cannot start ${suite.command}: ${e.message}`);
      resolve({ code: 127, signal: null });
    });
    child.once("exit", (code, signal) => {
      process.removeListener("SIGTERM", forward);
      resolve({ code, signal });
    });
  });
}

async function main(): Promise<void> {
  fs.mkdirSync(reportsDir, { recursive: true });
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const lines: string[] = [];
  let interrupted = false;
  process.once("SIGINT", () => (interrupted = true));

  for (const suite of suites()) {
    if (interrupted) break;
    fs.rmSync(suite.report, { force: true });
    console.log(`\n[test] ── ${suite.name} ─────────────────────────────────────────`);
    const t0 = Date.now();
    const { code, signal } = await run(suite);
    let counts: Counts;
    try {
      counts = suite.parse(JSON.parse(fs.readFileSync(suite.report, "utf8")));
    } catch {
      counts = { passed: 0, failed: 1, skipped: 0, crash: `no readable report at ${path.relative(root, suite.report)}` };
    }
    if ((code !== 0 || signal) && counts.failed === 0) {
      counts.failed = 1;
      counts.crash ??= signal ? `killed by ${signal}` : `exited with code ${code}`;
    }
    Object.assign(total, {
      passed: total.passed + counts.passed,
      failed: total.failed + counts.failed,
      skipped: total.skipped + counts.skipped,
    });
    lines.push(
      `[test] ${suite.name.padEnd(11)} ${summaryLine(counts)} (${((Date.now() - t0) / 1000).toFixed(1)} s)${counts.crash ? ` — CRASHED: ${counts.crash}` : ""}`,
    );
    console.log(lines[lines.length - 1]);
  }

  console.log("\n[test] ── summary ─────────────────────────────────────────");
  for (const line of lines) console.log(line);
  if (interrupted) console.log("[test] interrupted: remaining suites were not run");
  process.exitCode = total.failed > 0 || interrupted ? 1 : 0;
  console.log(summaryLine(total));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
