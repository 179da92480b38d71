import { describe, expect, it } from "vitest";
import { describe as describeRelation, withDuckDb } from "../../data/duckdb";
import { SAMPLE_NAMES, SAMPLES } from "../../spec/samples";
import { sampleSql } from "./sources";

describe("bundled samples", () => {
  it("list exactly the columns their data has (the editor's column pickers rely on it)", async () => {
    await withDuckDb(async (conn) => {
      for (const name of SAMPLE_NAMES) {
        const actual = (await describeRelation(conn, sampleSql(name))).map((c) => ({ name: c.name, type: c.type }));
        expect(actual, name).toEqual(SAMPLES[name].columns);
      }
    });
  });
});
