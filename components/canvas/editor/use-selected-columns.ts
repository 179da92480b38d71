"use client";
/** Column pickers: the selected node's input columns, from a bundled sample or an uploaded dataset. */
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { SAMPLES, type SampleName } from "../../../workflows/spec/samples";
import { findDatasetFor } from "../../../workflows/nodes/ingest.csv/source-ref";
import { useTRPC } from "../../trpc/trpc";
import { inputColumns } from "../graph-spec";
import type { PipelineEditorState } from "../use-pipeline-editor";

export function useSelectedColumns(ed: PipelineEditorState) {
  const trpc = useTRPC();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  return useMemo(() => {
    if (!ed.selectedNode) return undefined;
    // From the settled graph: a drag (positions only) does not recompute it.
    return inputColumns({ nodes: ed.settled.nodes, edges: ed.settled.edges }, ed.selectedNode.id, (source) => {
      if (source.startsWith("sample:")) return SAMPLES[source.slice(7) as SampleName]?.columns;
      if (source.startsWith("dataset:")) return findDatasetFor(source, datasets.data ?? [])?.columns;
      return undefined;
    });
  }, [datasets.data, ed.settled, ed.selectedNode]);
}
