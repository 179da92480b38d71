/**
 * `npm run bench [-- name ...]`: runs benchmarks, writes bench/results/<name>.json
 * and rewrites that benchmark's section of docs/benchmarks.md.
 */
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { fileURLToPath } from "node:url";

interface BenchResult {
  name: string;
  json: Record<string, unknown>;
  markdown: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const BENCHES: Record<string, { title: string; load: () => Promise<{ default: () => Promise<BenchResult> }> }> = {
  orchestration: { title: "Orchestration overhead", load: () => import("./orchestration") },
  serving: { title: "Serving (OIP v2 infer)", load: () => import("./serving") },
  gbdt: { title: "train.gbdt vs XGBoost", load: () => import("./gbdt") },
  canvas: { title: "Canvas editor (render, pan, drag)", load: () => import("./canvas") },
  "first-start": { title: "First start on a fresh machine", load: () => import("./first-start") },
  automation: { title: "Automation: webhooks and schedules", load: () => import("./automation") },
  "long-step": { title: "A long training step (train.gbdt)", load: () => import("./long-step") },
  batch: { title: "Batch scoring (deploy.batch) vs Python onnxruntime", load: () => import("./batch") },
  drift: { title: "Drift statistics vs Evidently", load: () => import("./drift") },
};

function writeSection(doc: string, name: string, title: string, body: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const stamp = `_Last run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} cores, Node ${process.version}. Reproduce: \`npm run bench -- ${name}\`._`;
  const section = `${start}\n## ${title}\n\n${body}\n\n${stamp}\n${end}`;
  const re = new RegExp(`${start}[\\s\\S]*?${end}`);
  return re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const n of names) if (!BENCHES[n]) throw new Error(`unknown benchmark "${n}"; available: ${Object.keys(BENCHES).join(", ")}`);

const docPath = path.join(here, "..", "docs", "benchmarks.md");
fs.mkdirSync(path.join(here, "results"), { recursive: true });
const rows: string[] = [];
let failed = 0;
for (const name of names) {
  const b = BENCHES[name]!;
  console.log(`\n== ${b.title} ==`);
  try {
    const result = await (await b.load()).default();
    fs.writeFileSync(path.join(here, "results", `${name}.json`), JSON.stringify({ ...result.json, measuredAt: new Date().toISOString() }, null, 2) + "\n");
    const doc = fs.existsSync(docPath)
      ? fs.readFileSync(docPath, "utf8")
      : "# Benchmarks\n\nMeasured by `npm run bench` on this project's machine (2 cores). Each section is rewritten by its benchmark.\n";
    fs.writeFileSync(docPath, writeSection(doc, name, b.title, result.markdown));
    console.log(result.markdown);
    rows.push(`${name}: ok`);
  } catch (e) {
    failed++;
    console.error(`benchmark ${name} failed:`, e);
    rows.push(`${name}: FAILED (${e instanceof Error ? e.message : String(e)})`);
  }
}
console.log(`\n${rows.join("\n")}`);
process.exit(failed ? 1 : 0);
