"use client";
import { useState } from "react";
import type { SpecError } from "../../workflows/spec/spec";
import { describeProblem, nodeName } from "./problems";
import type { PipelineNode } from "./graph-spec";
import { AlertIcon, CheckIcon, ChevronIcon } from "../ui/icons";

/** The whole graph's problems, each under its node's label; clicking one selects its node. */
export function ProblemsList({
  errors,
  onSelect,
  title,
  nodes = [],
}: {
  errors: readonly SpecError[];
  onSelect: (nodeId: string) => void;
  title?: string;
  /** The canvas's nodes, whose labels name the problems' nodes. */
  nodes?: readonly PipelineNode[];
}) {
  const [open, setOpen] = useState(true);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const n = errors.length;
  return (
    <div
      data-testid="problems"
      className="pointer-events-auto w-[380px] max-w-full overflow-hidden rounded-lg border border-slate-200 bg-white/95 shadow-md backdrop-blur"
    >
      <button
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        className="flex w-full items-center gap-2 px-3 py-2 text-left text-[13px] font-medium"
      >
        {n ? <AlertIcon className="text-rose-500" /> : <CheckIcon className="text-emerald-500" />}
        <span className={n ? "text-slate-800" : "text-slate-600"}>{title ?? (n ? `${n} problem${n === 1 ? "" : "s"}` : "No problems")}</span>
        {n ? <ChevronIcon className={`ml-auto text-slate-400 transition-transform ${open ? "rotate-90" : ""}`} /> : null}
      </button>
      {open && n ? (
        <ul className="max-h-48 overflow-y-auto border-t border-slate-100 py-1">
          {errors.map((e, i) => (
            <li key={i}>
              <button
                type="button"
                disabled={!e.nodeId}
                onClick={() => e.nodeId && onSelect(e.nodeId)}
                className="flex w-full gap-2 px-3 py-1.5 text-left text-[12px] hover:bg-slate-50 disabled:cursor-default"
              >
                <span className="w-28 shrink-0 truncate font-medium text-slate-600" title={e.nodeId ?? undefined} data-node={e.nodeId ?? undefined}>
                  {e.nodeId ? nodeName(byId.get(e.nodeId), e.nodeId) : "Pipeline"}
                </span>
                <span className="text-slate-700">{describeProblem(e)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
