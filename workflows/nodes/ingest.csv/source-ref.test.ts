import { describe, expect, it } from "vitest";
import { datasetSource, findDatasetFor, parseSource } from "./source-ref";

describe("ingest.csv sources", () => {
  it("reads samples, uploads by id, and datasets by name, latest or pinned", () => {
    expect(parseSource("sample:boston-housing")).toEqual({ kind: "sample", name: "boston-housing" });
    expect(parseSource("dataset:0b7e7d6e-4a7c-4f0e-9e0a-3a1f3c2b1a00")).toEqual({ kind: "dataset-id", id: "0b7e7d6e-4a7c-4f0e-9e0a-3a1f3c2b1a00" });
    expect(parseSource("dataset:sales 2024")).toEqual({ kind: "dataset", name: "sales 2024" });
    expect(parseSource("dataset:sales@3")).toEqual({ kind: "dataset", name: "sales", version: 3 });
    expect(parseSource("dataset:team@acme@2")).toEqual({ kind: "dataset", name: "team@acme", version: 2 });
    expect(parseSource("dataset:sales@0")).toEqual({ kind: "dataset", name: "sales@0" });
    for (const bad of ["", "s3://x", "dataset:", "dataset: ", "sample:Boston", `dataset:${"x".repeat(201)}`]) expect(parseSource(bad)).toBeNull();
    expect(datasetSource("sales")).toBe("dataset:sales");
    expect(datasetSource("sales", 2)).toBe("dataset:sales@2");
  });

  it("finds the dataset a source names: the latest version unless pinned", () => {
    const all = [
      { id: "a", name: "sales", version: 1 },
      { id: "b", name: "sales", version: 3 },
      { id: "c", name: "sales", version: 2 },
      { id: "d", name: "other", version: 1 },
    ];
    expect(findDatasetFor("dataset:sales", all)?.id).toBe("b");
    expect(findDatasetFor("dataset:sales@2", all)?.id).toBe("c");
    expect(findDatasetFor("dataset:sales@9", all)).toBeUndefined();
    expect(findDatasetFor("sample:cars", all)).toBeUndefined();
  });
});
