"use client";
/** Node types grouped by kind; drag onto the canvas or click to add. */
import { memo, useMemo, useState } from "react";
import { NODE_DEFINITIONS } from "../../workflows/nodes/registry";
import { NODE_GROUPS } from "../../workflows/nodes/types";
import { PORT_COLORS } from "./graph-spec";
import { GROUP_STYLE } from "./node-style";

export const DRAG_MIME = "application/x-conveyor-node";

/** The newest version of every node type, in registry order. */
export function latestDefinitions(): (typeof NODE_DEFINITIONS)[number][] {
  const latest = new Map<string, (typeof NODE_DEFINITIONS)[number]>();
  for (const d of NODE_DEFINITIONS) {
    const cur = latest.get(d.type);
    if (!cur || d.version > cur.version) latest.set(d.type, d);
  }
  return [...latest.values()];
}

/** Memoised: the editor re-renders on every frame of a drag, the palette need not. */
export const Palette = memo(function Palette({ onAdd, disabled = false }: { onAdd: (type: string) => void; disabled?: boolean }) {
  const [query, setQuery] = useState("");
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const defs = latestDefinitions().filter((d) => !q || `${d.label} ${d.type} ${d.description} ${d.group}`.toLowerCase().includes(q));
    return NODE_GROUPS.map((g) => ({ group: g, defs: defs.filter((d) => d.group === g).sort((a, b) => a.label.localeCompare(b.label)) })).filter(
      (g) => g.defs.length,
    );
  }, [query]);

  return (
    <aside aria-label="Node palette" className="flex w-52 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="border-b border-slate-100 p-3">
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search nodes"
          aria-label="Search nodes"
          className="h-8 w-full rounded-md border border-slate-200 bg-slate-50 px-2.5 text-sm placeholder:text-slate-400 focus:border-indigo-400 focus:bg-white focus:outline-none"
        />
      </div>
      <div className="flex-1 space-y-4 overflow-y-auto px-3 py-3">
        {groups.map(({ group, defs }) => (
          <div key={group}>
            <div className="mb-1.5 px-1 text-[11px] font-semibold uppercase tracking-wider text-slate-400">{GROUP_STYLE[group].label}</div>
            <div className="space-y-1">
              {defs.map((d) => (
                <button
                  key={d.type}
                  type="button"
                  disabled={disabled}
                  draggable={!disabled}
                  data-testid={`palette-${d.type}`}
                  aria-label={`Add ${d.label}`}
                  title={`${d.description}\nDrag onto the canvas or click to add.`}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_MIME, d.type);
                    e.dataTransfer.setData("text/plain", d.type);
                    e.dataTransfer.effectAllowed = "move";
                  }}
                  onClick={() => onAdd(d.type)}
                  className="group flex w-full cursor-grab items-start gap-2.5 rounded-md border border-transparent px-2 py-1.5 text-left transition-colors hover:border-slate-200 hover:bg-slate-50 active:cursor-grabbing disabled:cursor-not-allowed disabled:opacity-50"
                >
                  <span className="mt-1 h-3.5 w-1 shrink-0 rounded-full" style={{ background: GROUP_STYLE[d.group].stripe }} />
                  <span className="min-w-0 flex-1">
                    <span className="block truncate text-[13px] font-medium text-slate-800">{d.label}</span>
                    <span className="flex items-center gap-1 font-mono text-[10.5px] text-slate-400">
                      {d.type}
                      <span className="ml-auto flex gap-0.5">
                        {[...d.inputs, ...d.outputs].map((p, i) => (
                          <span key={i} className="h-1.5 w-1.5 rounded-full" style={{ background: PORT_COLORS[p.type] }} />
                        ))}
                      </span>
                    </span>
                  </span>
                </button>
              ))}
            </div>
          </div>
        ))}
        {groups.length === 0 ? <div className="px-1 text-sm text-slate-500">No node matches “{query}”.</div> : null}
      </div>
      <PortLegend />
    </aside>
  );
});

function PortLegend() {
  return (
    <div className="border-t border-slate-100 px-4 py-3">
      <div className="mb-1.5 text-[11px] font-semibold uppercase tracking-wider text-slate-400">Port types</div>
      <div className="grid grid-cols-2 gap-x-3 gap-y-1">
        {Object.entries(PORT_COLORS).map(([t, c]) => (
          <span key={t} className="flex items-center gap-1.5 text-[11px] text-slate-600">
            <span className="h-2 w-2 rounded-full" style={{ background: c }} />
            {t}
          </span>
        ))}
      </div>
    </div>
  );
}
