"use client";
/**
 * Quick-add (Ctrl/Cmd+K): type to find a node type, Enter inserts it after
 * the selected node and connects it (graph-spec.ts `quickAdd`).
 */
import { Command } from "cmdk";
import { NODE_GROUPS } from "../../workflows/nodes/types";
import { PORT_COLORS } from "./graph-spec";
import { GROUP_STYLE } from "./node-style";
import { latestDefinitions } from "./palette";

export function QuickAdd({
  open,
  onOpenChange,
  after,
  onPick,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  after: string | undefined;
  onPick: (type: string) => void;
}) {
  const defs = latestDefinitions();
  return (
    <Command.Dialog
      open={open}
      onOpenChange={onOpenChange}
      label="Quick add node"
      overlayClassName="fixed inset-0 z-40 bg-slate-900/20"
      contentClassName="fixed left-1/2 top-[14vh] z-50 w-[min(560px,92vw)] -translate-x-1/2 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-2xl"
    >
      <div className="flex items-center gap-2 border-b border-slate-100 px-4">
        <Command.Input
          autoFocus
          placeholder={after ? `Add a node after ${after}…` : "Add a node…"}
          aria-label="Node type"
          className="h-12 flex-1 bg-transparent text-[15px] text-slate-900 placeholder:text-slate-400 focus:outline-none"
        />
        <kbd className="rounded border border-slate-200 px-1.5 text-[11px] text-slate-400">Esc</kbd>
      </div>
      <Command.List className="max-h-[50vh] overflow-y-auto p-1.5">
        <Command.Empty className="px-3 py-6 text-center text-sm text-slate-500">No node type matches.</Command.Empty>
        {NODE_GROUPS.map((g) => {
          const items = defs.filter((d) => d.group === g);
          if (!items.length) return null;
          return (
            <Command.Group
              key={g}
              heading={GROUP_STYLE[g].label}
              className="[&_[cmdk-group-heading]]:px-2.5 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-2 [&_[cmdk-group-heading]]:text-[11px] [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:uppercase [&_[cmdk-group-heading]]:tracking-wider [&_[cmdk-group-heading]]:text-slate-400"
            >
              {items.map((d) => (
                <Command.Item
                  key={d.type}
                  // Label, type and group only: fuzzy-matching descriptions ranks noise first.
                  value={`${d.label} ${d.type}`}
                  keywords={[d.group]}
                  onSelect={() => onPick(d.type)}
                  className="flex cursor-default items-center gap-3 rounded-md px-2.5 py-2 data-[selected=true]:bg-indigo-50"
                >
                  <span className="h-6 w-1 shrink-0 rounded-full" style={{ background: GROUP_STYLE[d.group].stripe }} />
                  <span className="min-w-0 flex-1">
                    <span className="block text-[13px] font-medium text-slate-800">{d.label}</span>
                    <span className="block truncate text-[11.5px] text-slate-500">{d.description}</span>
                  </span>
                  <span className="font-mono text-[11px] text-slate-400">{d.type}</span>
                  <span className="flex gap-0.5">
                    {[...d.inputs, ...d.outputs].map((p, i) => (
                      <span key={i} className="h-1.5 w-1.5 rounded-full" style={{ background: PORT_COLORS[p.type] }} />
                    ))}
                  </span>
                </Command.Item>
              ))}
            </Command.Group>
          );
        })}
      </Command.List>
    </Command.Dialog>
  );
}
