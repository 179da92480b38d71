"use client";
/** Copy, paste and duplicate of the selected nodes and notes (the fragment format is ../clipboard.ts). */
import { useCallback } from "react";
import { fragmentFromSelection, parseFragment, serializeFragment, type ClipboardFragment } from "../clipboard";
import type { PipelineEditorState } from "../use-pipeline-editor";

/**
 * What was copied last in this tab: paste falls back to it when the system
 * clipboard cannot be read (no permission, insecure context). Module-level so
 * it survives navigating between pipelines.
 */
let memoryClipboard: string | null = null;

export function useClipboardActions(ed: PipelineEditorState, flash: (message: string) => void) {
  /** Nodes or notes are selected (edges alone are not copied). */
  const copyable = ed.selectedNodes.length + ed.selectedNotes.length > 0;
  /** Copies the selection; false when there was nothing to copy. */
  const copySelection = useCallback(async (): Promise<boolean> => {
    if (ed.selectedNodes.length + ed.selectedNotes.length === 0) return false;
    const text = serializeFragment(fragmentFromSelection(ed.nodes, ed.edges, undefined, ed.notes));
    memoryClipboard = text;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // The in-memory copy still pastes within this tab.
    }
    return true;
  }, [ed.edges, ed.nodes, ed.notes, ed.selectedNodes.length, ed.selectedNotes.length]);

  const pasteClipboard = useCallback(async () => {
    let text: string | null = null;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      text = null;
    }
    let fragment: ClipboardFragment | undefined = parseFragment(text);
    // Unreadable clipboard: use what this tab copied last.
    if (!fragment && (text === null || text === "")) fragment = parseFragment(memoryClipboard);
    if (!fragment) {
      flash("Nothing to paste: the clipboard holds no Conveyor nodes");
      return;
    }
    const ids = ed.paste(fragment);
    const n = new Set(fragment.nodes.map((x) => x.id)).size;
    const k = ids.length - n;
    flash(`Pasted ${[n ? `${n} node${n === 1 ? "" : "s"}` : "", k ? `${k} note${k === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ")}`);
  }, [ed, flash]);

  const duplicate = useCallback(() => {
    if (ed.selectedNodes.length + ed.selectedNotes.length === 0) return;
    ed.paste(fragmentFromSelection(ed.nodes, ed.edges, undefined, ed.notes));
  }, [ed]);

  return { copyable, copySelection, pasteClipboard, duplicate };
}

export type ClipboardActions = ReturnType<typeof useClipboardActions>;
