"use client";
/** The editor's top bar: the pipeline's name, its save status, undo/redo, the Edit and File menus, Versions, Runs, Save and Run. */
import Link from "next/link";
import { Button } from "../../ui/button";
import { HistoryIcon, LayoutIcon, NoteIcon, RedoIcon, RunIcon, SaveIcon, UndoIcon } from "../../ui/icons";
import { Menu, MenuItem, MenuSeparator } from "../../ui/menu";
import type { PipelineEditorState } from "../use-pipeline-editor";
import { formatTime, type Draft, type Saved } from "./use-autosave";
import type { ClipboardActions } from "./use-clipboard-actions";
import type { EditorDialog } from "./use-editor-keyboard";

export interface EditorToolbarProps {
  ed: PipelineEditorState;
  saved: Saved | null;
  autosave: { draft: Draft | null; dirty: boolean; draftPending: boolean };
  /** A save or run is on the wire. */
  busy: boolean;
  /** Run was pressed and the run is on its way. */
  starting: boolean;
  clipboard: ClipboardActions;
  showVersions: boolean;
  onToggleVersions: () => void;
  openDialog: (dialog: EditorDialog) => void;
  onAddNote: () => void;
  onLayout: () => Promise<void>;
  onExportFile: () => void;
  onExportClipboard: () => Promise<void>;
  onDiscard: () => void;
  onRun: () => Promise<void>;
}

/** The save status line: where the edits are kept. */
function saveStatus({ busy, saved, autosave: { draft, dirty, draftPending } }: Pick<EditorToolbarProps, "busy" | "saved" | "autosave">): string {
  return busy
    ? "Saving…"
    : !saved
      ? draft && !draftPending
        ? `Not saved yet · draft kept in this browser ${formatTime(draft.at)}`
        : "Not saved yet"
      : !dirty
        ? `Saved · v${saved.version}`
        : draftPending
          ? `Unsaved changes · v${saved.version}`
          : `Draft autosaved ${draft ? formatTime(draft.at) : ""} · based on v${saved.version}`;
}

export function EditorToolbar(props: EditorToolbarProps) {
  const { ed, saved, busy, clipboard, openDialog } = props;
  const { dirty } = props.autosave;
  const { copyable, copySelection, pasteClipboard, duplicate } = clipboard;
  const hasSelection = ed.selectedNodes.length > 0 || ed.selectedNotes.length > 0 || ed.edges.some((e) => e.selected);
  return (
    <div className="flex h-12 shrink-0 items-center gap-2 border-b border-slate-200 bg-white px-4">
      <Link href="/" className="text-sm text-slate-500 hover:text-slate-800">
        Pipelines
      </Link>
      <span className="text-slate-300">/</span>
      <input
        aria-label="Pipeline name"
        value={ed.meta.name}
        onChange={(e) => ed.setMeta({ ...ed.meta, name: e.target.value })}
        placeholder="Pipeline name"
        className="h-8 w-64 min-w-0 rounded-md border border-transparent bg-transparent px-2 text-sm font-semibold text-slate-900 hover:border-slate-200 focus:border-indigo-400 focus:bg-white focus:outline-none focus:ring-2 focus:ring-indigo-100"
      />
      <span data-testid="save-status" className={`truncate text-xs ${dirty && saved ? "text-amber-600" : "text-slate-500"}`}>
        {saveStatus(props)}
      </span>
      <div className="ml-auto flex shrink-0 items-center gap-1.5">
        <div role="group" aria-label="History" className="flex items-center">
          <Button variant="ghost" className="px-2" aria-label="Undo" title="Undo (Ctrl+Z)" onClick={ed.undo} disabled={!ed.canUndo}>
            <UndoIcon />
          </Button>
          <Button variant="ghost" className="px-2" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" onClick={ed.redo} disabled={!ed.canRedo}>
            <RedoIcon />
          </Button>
        </div>
        <Menu label="Edit">
          <MenuItem onSelect={ed.undo} disabled={!ed.canUndo} shortcut="Ctrl+Z">
            Undo
          </MenuItem>
          <MenuItem onSelect={ed.redo} disabled={!ed.canRedo} shortcut="Ctrl+Shift+Z">
            Redo
          </MenuItem>
          <MenuSeparator />
          <MenuItem onSelect={() => void copySelection().then((ok) => ok && ed.removeSelected())} disabled={!copyable} shortcut="Ctrl+X">
            Cut
          </MenuItem>
          <MenuItem onSelect={() => void copySelection()} disabled={!copyable} shortcut="Ctrl+C">
            Copy
          </MenuItem>
          <MenuItem onSelect={() => void pasteClipboard()} shortcut="Ctrl+V">
            Paste
          </MenuItem>
          <MenuItem onSelect={duplicate} disabled={!copyable} shortcut="Ctrl+D">
            Duplicate
          </MenuItem>
          <MenuItem onSelect={ed.removeSelected} disabled={!hasSelection} shortcut="Del">
            Delete
          </MenuItem>
          <MenuItem onSelect={ed.selectAll} disabled={!(ed.nodes.length + ed.notes.length)} shortcut="Ctrl+A">
            Select all
          </MenuItem>
          <MenuSeparator />
          <MenuItem onSelect={() => openDialog("quick-add")} shortcut="Ctrl+K">
            Quick add node…
          </MenuItem>
          <MenuItem onSelect={props.onAddNote}>Add sticky note</MenuItem>
        </Menu>
        <Button variant="ghost" onClick={() => void props.onLayout()} disabled={!ed.nodes.length} title="Arrange the graph left to right (undo restores)">
          <LayoutIcon />
          Auto-layout
        </Button>
        <Button variant="ghost" onClick={props.onAddNote} title="Add a sticky note">
          <NoteIcon />
          Note
        </Button>
        <Menu label="File">
          <MenuItem onSelect={() => openDialog("import")}>Import JSON…</MenuItem>
          <MenuItem onSelect={props.onExportFile}>Export JSON file</MenuItem>
          <MenuItem onSelect={() => void props.onExportClipboard()}>Copy spec JSON</MenuItem>
          {saved ? (
            <>
              <MenuSeparator />
              <MenuItem onSelect={props.onDiscard} disabled={!dirty}>
                Discard changes since v{saved.version}
              </MenuItem>
            </>
          ) : null}
        </Menu>
        {saved ? (
          <Button variant="ghost" aria-pressed={props.showVersions} onClick={props.onToggleVersions} title="Version history and compare">
            <HistoryIcon />
            Versions
          </Button>
        ) : null}
        {saved ? (
          <Link href={`/runs?pipeline=${saved.id}`} className="px-2 text-sm text-slate-600 hover:text-slate-900">
            Runs
          </Link>
        ) : null}
        <Button onClick={() => openDialog("save")} disabled={busy} title="Save a new version (Ctrl+S)">
          <SaveIcon />
          Save
        </Button>
        <Button
          variant="primary"
          onClick={() => void props.onRun()}
          disabled={busy || props.starting || ed.errors.length > 0}
          aria-busy={props.starting || undefined}
          title={
            ed.errors.length ? `Fix ${ed.errors.length} problem${ed.errors.length === 1 ? "" : "s"} before running` : "Save (if needed) and run this pipeline"
          }
        >
          <RunIcon className={props.starting ? "animate-pulse" : undefined} />
          {props.starting ? "Starting…" : "Run"}
        </Button>
      </div>
    </div>
  );
}
