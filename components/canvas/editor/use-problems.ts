"use client";
/**
 * What is wrong, as the editor shows it: the live validation's problems plus
 * those the server returned on a save or run (kept until the spec changes),
 * grouped by node for the cards; and the error of the last failed action.
 */
import { useMemo, useState } from "react";
import type { SpecError } from "../../../workflows/spec/spec";
import { errorsByNode } from "../problems";
import type { PipelineEditorState } from "../use-pipeline-editor";

export function useProblems(ed: PipelineEditorState) {
  const [serverErrors, setServerErrors] = useState<{ json: string; errors: SpecError[] } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  // Errors the server returned stay on the canvas until the spec changes.
  const shownErrors = useMemo(() => {
    // An empty canvas has its own empty state; "no nodes" would only be noise.
    const client = ed.nodes.length === 0 ? ed.errors.filter((e) => e.field !== "nodes") : ed.errors;
    if (!serverErrors || serverErrors.json !== ed.specJson) return client;
    const key = (e: SpecError) => `${e.nodeId}|${e.field}|${e.message}`;
    const seen = new Set(client.map(key));
    return [...client, ...serverErrors.errors.filter((e) => !seen.has(key(e)))];
  }, [ed.errors, ed.nodes.length, ed.specJson, serverErrors]);
  const byNode = useMemo(() => errorsByNode(shownErrors), [shownErrors]);
  return {
    shownErrors,
    byNode,
    /** Problems the server found in the spec with this JSON. */
    setServerErrors,
    actionError,
    setActionError,
  };
}

export type EditorProblems = ReturnType<typeof useProblems>;
