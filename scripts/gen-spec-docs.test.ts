import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { renderSpecDoc, SPEC_DOC } from "./gen-spec-docs";
import { NODE_DEFINITIONS } from "../workflows/nodes/registry";

describe("docs/spec.md", () => {
  const doc = renderSpecDoc();

  it("is up to date with the schemas and node definitions (run `npm run gen`)", () => {
    const committed = fs.readFileSync(SPEC_DOC, "utf8");
    if (committed !== doc) expect.fail("docs/spec.md is stale: run npm run gen");
  });

  it("documents every version of every node type, every config field and the upgrades", () => {
    for (const d of NODE_DEFINITIONS) {
      expect(doc).toContain(`#### \`${d.type}@${d.version}\``);
      const fields = Object.keys((d.config as unknown as { shape?: Record<string, unknown> }).shape ?? {});
      const section = doc
        .slice(doc.indexOf(`#### \`${d.type}@${d.version}\``))
        .split("\n#### ")[0]!
        .split("\n### ")[0]!;
      for (const f of fields) expect(section, `${d.type}@${d.version}.${f}`).toContain(`| \`${f}\` |`);
    }
    expect(doc).toContain("**Upgrade from v1**: Adds compareWithChampion");
    expect(doc).toMatch(/\| `nTrees` \| integer \| no \| `200` \| ≥ 1, ≤ 5000, whole number \| Boosting rounds \|/);
  });
});
