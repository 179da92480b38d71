"use client";
import { createContext, useContext } from "react";
import type { SpecError } from "../../workflows/spec/spec";

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
}

export const CanvasContext = createContext<CanvasContextValue>({ readOnly: false, errorsByNode: new Map() });

export function useCanvasContext(): CanvasContextValue {
  return useContext(CanvasContext);
}
