"use client";
/** Uploaded datasets' columns from the team's list, for the editor's validation (bundled samples' columns are always known). */
import { useCallback } from "react";
import { useQuery } from "@tanstack/react-query";
import { findDatasetFor } from "../../../workflows/nodes/ingest.csv/source-ref";
import { useTRPC } from "../../trpc/trpc";
import type { DatasetColumns } from "../use-pipeline-editor";

/** The columns of an uploaded dataset source (the same function until the list changes). */
export function useDatasetColumns(): DatasetColumns {
  const trpc = useTRPC();
  const list = useQuery(trpc.datasets.list.queryOptions()).data;
  return useCallback((source: string) => (list ? findDatasetFor(source, list)?.columns : undefined), [list]);
}
