/**
 * The dependency rules of CONVENTIONS.md, enforced on the import graph:
 * the folder tree tells the data flow only if nothing skips a layer.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");

function files(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, encoding: "utf8" })
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
  return fileList.flatMap((f) => importsOf(f).filter((i) => !i.typeOnly && bad(i)).map((i) => `${f} imports ${i.spec}`));
}

const under = (i: Import, ...dirs: string[]) => i.target !== null && dirs.some((d) => i.target === d || i.target!.startsWith(d + "/"));
const NODE_BUILTIN = /^(node:|fs$|path$|crypto$|os$|child_process$|http$|net$)/;

describe("architecture", () => {
  it("workflow code is deterministic: no Node builtins, db, server, React or activity implementations", () => {
    const wf = files("workflows/temporal").filter((f) => /workflow/.test(path.basename(f)) && !f.endsWith(".test.ts"));
    expect(wf.length).toBeGreaterThan(0);
    expect(
      violations(wf, (i) => NODE_BUILTIN.test(i.spec) || i.spec === "react" || under(i, "db", "server", "workflows/nodes", "workflows/data", "workflows/ml") || /activit/.test(i.spec)),
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
    const universal = [...files("workflows/spec"), ...files("workflows/compiler"), ...files("workflows/nodes").filter((f) => /definition\.ts$|registry(\.generated)?\.ts$|types\.ts$|conditions\.ts$/.test(f))];
    expect(violations(universal.filter((f) => !f.endsWith(".test.ts")), (i) => NODE_BUILTIN.test(i.spec) || under(i, "db", "server", "workflows/data", "workflows/temporal") || i.spec.startsWith("onnxruntime-node") || i.spec.startsWith("@duckdb"))).toEqual([]);
  });

  it("route handlers stay thin: no db queries from app/", () => {
    expect(violations(files("app"), (i) => under(i, "db"))).toEqual([]);
  });
});
