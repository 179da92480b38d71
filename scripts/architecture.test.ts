/**
 * The dependency rules of docs/architecture.md, enforced on the import graph:
 * the folder tree tells the data flow only if nothing skips a layer, no
 * top-level folder imports one above it, and no folders import each other in
 * a circle. Tests, test helpers (testing/) and fixtures are not part of it.
 */
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ENV_SCHEMA } from "../infra/env";

const root = path.resolve(__dirname, "..");

function files(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|tsx)$/.test(f) && !f.includes("node_modules"))
    .map((f) => path.join(dir, f));
}

interface Import {
  spec: string;
  typeOnly: boolean;
  /** Resolved repo-relative path for relative imports. */
  target: string | null;
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const out: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+["']([^"']+)["']/gm)) {
    const spec = m[3]!;
    const target = spec.startsWith(".") ? path.relative(root, path.resolve(path.dirname(path.join(root, file)), spec)) : null;
    out.push({ spec, typeOnly: Boolean(m[2]), target });
  }
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) out.push({ spec: m[1]!, typeOnly: false, target: null });
  return out;
}

function violations(fileList: string[], bad: (i: Import) => boolean): string[] {
  return fileList.flatMap((f) =>
    importsOf(f)
      .filter((i) => !i.typeOnly && bad(i))
      .map((i) => `${f} imports ${i.spec}`),
  );
}

/** Top-level folders, top to bottom: a folder may import its own layer or any layer below. */
const LAYERS: string[][] = [["app", "bench", "e2e", "scripts", "cli"], ["components", "server"], ["workflows"], ["db"], ["infra"], ["contract"]];
const layerOf = (file: string) => LAYERS.findIndex((l) => l.includes(file.split("/")[0]!));
const isProductFile = (f: string) => !/\.test\.tsx?$|(^|\/)fixtures\//.test(f) && !f.startsWith("testing/");
const allFiles = () => LAYERS.flat().flatMap(files).filter(isProductFile);

/** Edges between sibling folders (children of one parent; files at the parent's root are not a sibling), then their cycles. */
function folderCycles(edges: Array<[string, string]>): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const [a, b] of edges) (graph.get(a) ?? graph.set(a, new Set()).get(a)!).add(b);
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (v: string) => {
    state.set(v, "open");
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (state.get(w) === "open") cycles.push([...stack.slice(stack.indexOf(w)), w]);
      else if (!state.has(w)) visit(w);
    }
    stack.pop();
    state.set(v, "done");
  };
  for (const v of graph.keys()) if (!state.has(v)) visit(v);
  return cycles;
}

function siblingEdges(fileList: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const f of fileList) {
    for (const i of importsOf(f)) {
      if (!i.target || i.target.startsWith("..")) continue;
      const a = f.split("/");
      const b = i.target.split("/");
      // The first folder where the two paths part; both must be folders there (not a file at the parent's root).
      let k = 0;
      while (k < a.length - 1 && k < b.length - 1 && a[k] === b[k]) k++;
      if (k < a.length - 1 && k < b.length - 1 && a[k] !== b[k]) out.push([a.slice(0, k + 1).join("/"), b.slice(0, k + 1).join("/")]);
    }
  }
  return out;
}

const under = (i: Import, ...dirs: string[]) => i.target !== null && dirs.some((d) => i.target === d || i.target!.startsWith(d + "/"));
const NODE_BUILTIN = /^(node:|fs$|path$|crypto$|os$|child_process$|http$|net$)/;

describe("architecture", () => {
  it("workflow code is deterministic: no Node builtins, db, server, React or activity implementations", () => {
    const wf = files("workflows/temporal").filter((f) => /workflow/.test(path.basename(f)) && !f.endsWith(".test.ts"));
    expect(wf.length).toBeGreaterThan(0);
    expect(
      violations(
        wf,
        (i) =>
          NODE_BUILTIN.test(i.spec) ||
          i.spec === "react" ||
          under(i, "db", "server", "workflows/nodes", "workflows/data", "workflows/ml") ||
          /activit/.test(i.spec),
      ),
    ).toEqual([]);
  });

  it("browser code never imports server/ or db/", () => {
    expect(violations(files("components"), (i) => under(i, "server", "db") || i.spec === "server-only")).toEqual([]);
  });

  it("only db/ touches tables", () => {
    const outside = [...files("server"), ...files("workflows"), ...files("app"), ...files("components"), ...files("scripts")];
    expect(violations(outside, (i) => under(i, "db/schema"))).toEqual([]);
    expect(violations(outside, (i) => i.spec === "drizzle-orm" || i.spec.startsWith("drizzle-orm/pg-core"))).toEqual([]);
  });

  it("specs, compiler and node definitions stay universal (browser, server, worker)", () => {
    const universal = [
      ...files("workflows/spec"),
      ...files("workflows/compiler"),
      ...files("workflows/nodes").filter((f) => /definition\.ts$|registry(\.generated)?\.ts$|types\.ts$|conditions\.ts$/.test(f)),
    ];
    expect(
      violations(
        universal.filter((f) => !f.endsWith(".test.ts")),
        (i) =>
          NODE_BUILTIN.test(i.spec) ||
          under(i, "db", "server", "workflows/data", "workflows/temporal") ||
          i.spec.startsWith("onnxruntime-node") ||
          i.spec.startsWith("@duckdb"),
      ),
    ).toEqual([]);
  });

  it("no top-level folder imports one above it", () => {
    const up = allFiles().flatMap((f) =>
      importsOf(f)
        .filter((i) => i.target && layerOf(i.target) >= 0 && layerOf(i.target) < layerOf(f))
        .map((i) => `${f} imports ${i.spec} (${i.target!.split("/")[0]} is above ${f.split("/")[0]})`),
    );
    expect(up).toEqual([]);
  });

  it("no folders import each other in a circle", () => {
    expect(folderCycles(siblingEdges(allFiles()))).toEqual([]);
  });

  it("the cycle check finds a circle (the guard works)", () => {
    expect(
      folderCycles([
        ["w/a", "w/b"],
        ["w/b", "w/c"],
        ["w/c", "w/a"],
        ["w/c", "w/d"],
      ]),
    ).toEqual([["w/a", "w/b", "w/c", "w/a"]]);
  });

  it("every top-level folder with code has a layer", () => {
    const top = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith(".") && !["node_modules", "testing", "docs", "test-results", "public"].includes(d.name));
    expect(top.map((d) => d.name).filter((n) => files(n).length > 0 && !LAYERS.flat().includes(n))).toEqual([]);
  });

  it("browser code never imports infrastructure (infra/)", () => {
    expect(violations(files("components"), (i) => under(i, "infra"))).toEqual([]);
  });

  it("only infra/env.ts reads process.env in product code (the CLI, its own program, reads its variables in cli/config.ts)", () => {
    const readers = allFiles().filter(
      (f) =>
        f !== "infra/env.ts" &&
        f !== "cli/config.ts" &&
        !f.startsWith("scripts/") &&
        !f.startsWith("bench/") &&
        !f.startsWith("e2e/") &&
        /process\.env\.[A-Z]|process\.env\[/.test(fs.readFileSync(path.join(root, f), "utf8")),
    );
    expect(readers).toEqual([]);
  });

  it("the README's configuration table lists every environment variable", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    expect(Object.keys(ENV_SCHEMA.shape).filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
  });

  it("no file sends the reader outside the repository", () => {
    const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
      .split("\n")
      .filter((f) => f && !f.startsWith(".ci/") && fs.existsSync(path.join(root, f)) && !/\.(png|gz|parquet|onnx|ico)$/.test(f));
    const outside = tracked.filter(
      (f) => /\.\.\/shared\/|DESIGN\.md|CONVENTIONS\.md/.test(fs.readFileSync(path.join(root, f), "utf8")) && f !== "scripts/architecture.test.ts",
    );
    expect(outside).toEqual([]);
  });

  it("the CLI is a client of the API: cli/ imports contract/ and workflows/ only (never server/, db/, infra/, app/ or components/)", () => {
    const cli = files("cli").filter(isProductFile);
    expect(cli.length).toBeGreaterThan(0);
    expect(violations(cli, (i) => under(i, "server", "db", "infra", "app", "components") || i.spec === "server-only")).toEqual([]);
  });

  it("route handlers stay thin: no db queries from app/", () => {
    expect(violations(files("app"), (i) => under(i, "db"))).toEqual([]);
  });
});
