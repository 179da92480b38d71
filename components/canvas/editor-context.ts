"use client";
import { createContext, useContext } from "react";
import type { SpecError } from "../../workflows/spec/spec";
import type { NoteData } from "./graph-spec";

/** What a step of a run says about a node, for the read-only run graph. */
export interface NodeRunState {
  status: string;
  cached: boolean;
  error: string | null;
}

export interface CanvasContextValue {
  readOnly: boolean;
  errorsByNode: ReadonlyMap<string, SpecError[]>;
  runStateByNode?: ReadonlyMap<string, NodeRunState>;
  /** How a node differs between two compared versions (the diff view). */
  diffByNode?: ReadonlyMap<string, "added" | "removed" | "changed">;
  onNoteChange?: (id: string, data: Partial<NoteData>) => void;
}

export const CanvasContext = createContext<CanvasContextValue>({ readOnly: false, errorsByNode: new Map() });

export function useCanvasContext(): CanvasContextValue {
  return useContext(CanvasContext);
}
