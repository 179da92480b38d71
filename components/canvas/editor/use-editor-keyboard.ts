"use client";
/**
 * Keyboard: Ctrl/Cmd+S saves anywhere; the editing keys act on the canvas
 * only while focus is not in a form control. Delete/Backspace are handled
 * here too, not by React Flow: its key tracker keeps a modifier "pressed"
 * when the modifier's keyup lands in a form field, and then ignores Delete.
 */
import { useEffect } from "react";
import { nearestInDirection, type Direction } from "../graph-spec";
import type { PipelineEditorState } from "../use-pipeline-editor";
import type { ClipboardActions } from "./use-clipboard-actions";

/** The editor's dialogs (at most one is open). */
export type EditorDialog = "save" | "import" | "quick-add";

/** Keyboard focus is in a form control, where keys belong to the control. */
function isEditableTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function useEditorKeyboard({
  ed,
  dialog,
  openDialog,
  busy,
  clipboard,
  revealNode,
}: {
  ed: PipelineEditorState;
  dialog: EditorDialog | null;
  openDialog: (dialog: EditorDialog) => void;
  busy: boolean;
  clipboard: ClipboardActions;
  revealNode: (id: string) => void;
}) {
  const { copyable, copySelection, duplicate, pasteClipboard } = clipboard;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog) return; // an open dialog owns the keyboard
      const mod = e.ctrlKey || e.metaKey;
      const editable = isEditableTarget(e.target);
      if ((e.key === "Delete" || e.key === "Backspace") && !mod && !e.altKey && !editable) {
        e.preventDefault();
        ed.removeSelected();
        return;
      }
      // Alt+arrows walk from the selected node to its nearest neighbour that way.
      if (e.altKey && !mod && !editable && e.key.startsWith("Arrow")) {
        const from = ed.selectedNode ?? ed.nodes[0];
        if (!from) return;
        e.preventDefault();
        const dir = e.key.slice(5).toLowerCase() as Direction;
        const to = ed.selectedNode ? nearestInDirection(ed.nodes, from.id, dir) : from.id;
        if (to) {
          ed.select(to);
          revealNode(to);
          requestAnimationFrame(() => document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(to)}"]`)?.focus());
        }
        return;
      }
      if (e.key === "Escape" && !editable) {
        ed.select(null);
        return;
      }
      if (!mod || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === "s") {
        e.preventDefault();
        if (!busy) openDialog("save");
        return;
      }
      if (key === "k") {
        e.preventDefault();
        openDialog("quick-add");
        return;
      }
      if (editable) return;
      if (key === "z" && !e.shiftKey) {
        e.preventDefault();
        ed.undo();
      } else if ((key === "z" && e.shiftKey) || key === "y") {
        e.preventDefault();
        ed.redo();
      } else if (key === "a") {
        e.preventDefault();
        ed.selectAll();
      } else if (key === "d") {
        e.preventDefault();
        duplicate();
      } else if (key === "c") {
        if (!copyable) return;
        e.preventDefault();
        void copySelection();
      } else if (key === "x") {
        if (!copyable) return;
        e.preventDefault();
        void copySelection().then(() => ed.removeSelected());
      } else if (key === "v") {
        e.preventDefault();
        void pasteClipboard();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [busy, copyable, copySelection, dialog, duplicate, ed, openDialog, pasteClipboard, revealNode]);
}
