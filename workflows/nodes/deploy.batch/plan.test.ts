import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile";
import {
  checkDataset,
  checkTableColumns,
  parseModelRef,
  parseTableName,
  pgType,
  planChunks,
  predictionColumns,
  resumePlan,
  scoringKey,
  type PartRef,
} from "./plan";
import type { ModelInput } from "../../../contract/model";

describe("model references", () => {
  it("parses model:<name>@<alias> and model:<name>@<version>, and nothing else", () => {
    expect(parseModelRef("model:flights@champion")).toEqual({ name: "flights", alias: "champion" });
    expect(parseModelRef("model:flights-gbdt_2@3")).toEqual({ name: "flights-gbdt_2", version: 3 });
    for (const bad of [
      "flights@champion",
      "model:flights",
      "model:@champion",
      "model:Flights@champion",
      "model:flights@0",
      "model:flights@03",
      "model:flights@Champion",
      "model:a@b@c",
      "model:flights@",
    ])
      expect(parseModelRef(bad), bad).toBeNull();
  });
});

describe("chunks", () => {
  it("cover the rows in order, the last one shorter", () => {
    expect(planChunks(10, 4)).toEqual([
      { index: 0, start: 0, end: 4 },
      { index: 1, start: 4, end: 8 },
      { index: 2, start: 8, end: 10 },
    ]);
    expect(planChunks(8, 4).map((c) => c.end - c.start)).toEqual([4, 4]);
    expect(planChunks(0, 4)).toEqual([]);
    expect(planChunks(1_000_000, 50_000)).toHaveLength(20);
    expect(() => planChunks(10, 0)).toThrow(/chunkRows/);
  });

  it("a retry skips the finished chunks from the first on, only of the same scoring", () => {
    const chunks = planChunks(10, 4);
    const key = scoringKey({ datasetSha256: "d", modelSha256: "m", chunkRows: 4 });
    const part = (index: number, rows: number): PartRef => ({ index, uri: `file:///p${index}`, sha256: `s${index}`, rows });
    expect(resumePlan(chunks, key, null)).toEqual({ done: [], todo: chunks });
    expect(resumePlan(chunks, key, { key, parts: [part(0, 4), part(1, 4)] })).toEqual({ done: [part(0, 4), part(1, 4)], todo: [chunks[2]] });
    expect(resumePlan(chunks, key, { key, parts: [part(0, 4), part(1, 4), part(2, 2)] }).todo).toEqual([]);
    // A gap: only the run from the first chunk counts.
    expect(resumePlan(chunks, key, { key, parts: [part(0, 4), part(2, 2)] })).toEqual({ done: [part(0, 4)], todo: chunks.slice(1) });
    // Another model (or dataset, or chunk size): nothing is reused.
    const other = scoringKey({ datasetSha256: "d", modelSha256: "m2", chunkRows: 4 });
    expect(other).not.toBe(key);
    expect(resumePlan(chunks, key, { key: other, parts: [part(0, 4)] }).done).toEqual([]);
    // A part whose size does not match its chunk is not trusted.
    expect(resumePlan(chunks, key, { key, parts: [part(0, 3)] }).done).toEqual([]);
  });
});

describe("output columns", () => {
  it("regression adds prediction; classification adds label and one probability column per class, in class order", () => {
    expect(predictionColumns({ task: "regression" })).toEqual([{ name: "prediction", type: "DOUBLE" }]);
    expect(predictionColumns({ task: "classification", classes: ["Adelie", "Gentoo"] })).toEqual([
      { name: "label", type: "VARCHAR" },
      { name: "probability_Adelie", type: "DOUBLE" },
      { name: "probability_Gentoo", type: "DOUBLE" },
    ]);
  });

  it("the dataset must have the model's columns with the right kinds, and no column where a prediction goes", () => {
    const inputs: ModelInput[] = [
      { name: "hour", datatype: "FP32", shape: [-1, 1] },
      { name: "origin", datatype: "BYTES", shape: [-1, 1] },
      { name: "distance", datatype: "FP32", shape: [-1, 1] },
    ];
    const model = { task: "regression" as const, inputs };
    const cols = (...c: [string, string][]) => c.map(([name, type]) => ({ name, type }));
    expect(checkDataset(cols(["hour", "DOUBLE"], ["origin", "VARCHAR"], ["distance", "BIGINT"], ["x", "DATE"]), model, "flights v1")).toBeNull();
    expect(checkDataset(cols(["origin", "VARCHAR"], ["x", "DOUBLE"]), model, "flights v1")).toEqual({
      field: "inputs.dataset",
      message: 'the dataset lacks the columns "hour", "distance" that flights v1 needs (the dataset has origin, x)',
    });
    expect(checkDataset(cols(["hour", "VARCHAR"], ["origin", "DOUBLE"], ["distance", "DOUBLE"]), model, "m")?.message).toBe(
      'wrong column types: "hour" is VARCHAR but m needs a number; "origin" is DOUBLE but m needs text',
    );
    expect(checkDataset(cols(["hour", "DOUBLE"], ["origin", "VARCHAR"], ["distance", "DOUBLE"], ["prediction", "DOUBLE"]), model, "m")?.message).toMatch(
      /already has a column named "prediction"/,
    );
  });
});

describe("PostgreSQL table", () => {
  it("takes name or schema.name of plain lowercase identifiers", () => {
    expect(parseTableName("scores")).toEqual({ schema: "public", name: "scores" });
    expect(parseTableName("analytics.flight_scores")).toEqual({ schema: "analytics", name: "flight_scores" });
    for (const bad of ["", "a.b.c", "Scores", "1abc", "drop table x;", 'a"b', "a b", "x".repeat(64), "analytics."]) expect(parseTableName(bad), bad).toBeNull();
  });

  it("maps DuckDB types to PostgreSQL ones as format_type names them", () => {
    expect(pgType("DOUBLE")).toEqual({ pgType: "double precision", asText: false });
    expect(pgType("BIGINT").pgType).toBe("bigint");
    expect(pgType("VARCHAR").pgType).toBe("text");
    expect(pgType("TIMESTAMP").pgType).toBe("timestamp without time zone");
    expect(pgType("DECIMAL(18,3)").pgType).toBe("numeric");
    expect(pgType("INTEGER[]")).toEqual({ pgType: "text", asText: true });
  });

  it("refuses columns named like the table's key columns, and names too long for PostgreSQL", () => {
    expect(checkTableColumns([{ name: "run_id", type: "VARCHAR" }])).toMatch(/"run_id"/);
    expect(checkTableColumns([{ name: "x".repeat(64), type: "DOUBLE" }])).toMatch(/longer than PostgreSQL's 63 bytes/);
    expect(checkTableColumns([{ name: "prediction", type: "DOUBLE" }])).toBeNull();
  });
});

describe("deploy.batch in the compiler", () => {
  const pipeline = (batch: Record<string, unknown>, modelEdge: boolean) => ({
    apiVersion: "conveyor/v1",
    name: "p",
    nodes: [
      { id: "ingest", type: "ingest.csv", config: { source: "sample:flights-20k" } },
      { id: "train", type: "train.gbdt", config: { target: "delay" } },
      { id: "batch", type: "deploy.batch", config: batch },
    ],
    edges: [
      { id: "a", source: "ingest", sourcePort: "dataset", target: "train", targetPort: "dataset" },
      { id: "b", source: "ingest", sourcePort: "dataset", target: "batch", targetPort: "dataset" },
      ...(modelEdge ? [{ id: "c", source: "train", sourcePort: "model", target: "batch", targetPort: "model" }] : []),
    ],
  });
  const errors = (batch: Record<string, unknown>, modelEdge: boolean) => {
    const r = compile(pipeline(batch, modelEdge));
    return r.ok ? [] : r.errors;
  };

  it("takes the model from the input or from config, exactly one, and runs on the heavy queue uncached", () => {
    const r = compile(pipeline({}, true));
    expect(r.ok).toBe(true);
    const step = r.ok ? r.plan.steps.find((s) => s.nodeId === "batch")! : null;
    expect(step).toMatchObject({ queue: "heavy", cacheable: false, config: { chunkRows: 50_000 } });
    expect(errors({ model: "model:flights@champion" }, false)).toEqual([]);
    expect(errors({ model: "model:flights@champion" }, true)).toEqual([
      { nodeId: "batch", field: "config.model", message: "the model comes from the `model` input and from config.model: remove one of them" },
    ]);
    expect(errors({}, false)).toEqual([
      {
        nodeId: "batch",
        field: "config.model",
        message: 'no model to score with: connect a model to the `model` input or set model to "model:<name>@<alias|version>"',
      },
    ]);
  });

  it("names the field of a bad reference, table or chunk size", () => {
    expect(errors({ model: "flights" }, false)).toContainEqual({
      nodeId: "batch",
      field: "config.model",
      message: 'model must be "model:<name>@<alias>" or "model:<name>@<version>", e.g. model:flights@champion or model:flights@3',
    });
    expect(errors({ table: "public.Scores; drop" }, true)).toContainEqual(expect.objectContaining({ nodeId: "batch", field: "config.table" }));
    expect(errors({ chunkRows: 10 }, true)).toContainEqual({ nodeId: "batch", field: "config.chunkRows", message: "chunkRows must be ≥ 100" });
  });
});
