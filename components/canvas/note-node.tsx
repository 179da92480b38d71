"use client";
/**
 * A sticky note: free text for people reading the pipeline, resizable, in a
 * few colours. Drag it by its edge strip; the text area takes keys and clicks.
 */
import { memo } from "react";
import { NodeResizer, type NodeProps } from "@xyflow/react";
import { NOTE_COLORS } from "../../workflows/spec/spec";
import type { NoteNode } from "./graph-spec";
import { useCanvasContext } from "./editor-context";

export const NOTE_STYLE: Record<(typeof NOTE_COLORS)[number], { bg: string; border: string; swatch: string }> = {
  yellow: { bg: "#fef9c3", border: "#fde047", swatch: "#facc15" },
  blue: { bg: "#e0f2fe", border: "#7dd3fc", swatch: "#38bdf8" },
  green: { bg: "#dcfce7", border: "#86efac", swatch: "#4ade80" },
  pink: { bg: "#fce7f3", border: "#f9a8d4", swatch: "#f472b6" },
  gray: { bg: "#f1f5f9", border: "#cbd5e1", swatch: "#94a3b8" },
};

function NoteView({ id, data, selected }: NodeProps<NoteNode>) {
  const { readOnly, onNoteChange } = useCanvasContext();
  const style = NOTE_STYLE[data.color] ?? NOTE_STYLE.yellow;
  const editable = !readOnly && !!onNoteChange;
  return (
    <div
      data-testid={`note-${id}`}
      className={`flex h-full w-full flex-col rounded-md shadow-sm ${selected ? "ring-2 ring-indigo-500" : ""}`}
      style={{ background: style.bg, border: `1px solid ${style.border}` }}
    >
      {editable ? (
        <NodeResizer
          isVisible={selected}
          minWidth={80}
          minHeight={40}
          lineStyle={{ borderColor: "transparent" }}
          handleStyle={{ width: 8, height: 8, borderRadius: 2 }}
        />
      ) : null}
      <div className="flex h-5 shrink-0 cursor-grab items-center gap-1 px-2 active:cursor-grabbing">
        {editable && selected
          ? NOTE_COLORS.map((c) => (
              <button
                key={c}
                type="button"
                aria-label={`Note colour ${c}`}
                aria-pressed={data.color === c}
                onClick={() => onNoteChange(id, { color: c })}
                className={`nodrag h-3 w-3 rounded-full border ${data.color === c ? "border-slate-700" : "border-white"}`}
                style={{ background: NOTE_STYLE[c].swatch }}
              />
            ))
          : null}
      </div>
      {editable ? (
        <textarea
          aria-label={`Note ${id}`}
          value={data.text}
          placeholder="Write a note…"
          onChange={(e) => onNoteChange(id, { text: e.target.value })}
          className="nodrag nowheel min-h-0 flex-1 resize-none bg-transparent px-2.5 pb-2 text-[13px] leading-5 text-slate-800 placeholder:text-slate-500/70 focus:outline-none"
        />
      ) : (
        <div className="min-h-0 flex-1 overflow-hidden whitespace-pre-wrap px-2.5 pb-2 text-[13px] leading-5 text-slate-800">{data.text}</div>
      )}
    </div>
  );
}

export const NoteNodeComponent = memo(NoteView);
