"use client";
/**
 * Version history of a pipeline: every saved version with its author, time
 * and message; pick two to compare, or bring one back onto the canvas.
 */
import { useState } from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { buttonClass, Button } from "../ui/button";
import { formatDateTime, formatRelative } from "../ui/format";
import { ErrorNote } from "../ui/page";

export function VersionsPanel({ id, current, onRestore, onClose }: { id: string; current: number; onRestore: (version: number) => void; onClose: () => void }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.pipelines.versions.queryOptions({ id }), refetchOnMount: "always" });
  const [picked, setPicked] = useState<number[]>([]);
  const toggle = (v: number) => setPicked((p) => (p.includes(v) ? p.filter((x) => x !== v) : [...p.slice(-1), v]));
  const [from, to] = [...picked].sort((a, b) => a - b);

  return (
    <aside aria-label="Version history" className="flex w-80 shrink-0 flex-col border-l border-slate-200 bg-white">
      <div className="flex h-11 items-center justify-between border-b border-slate-100 px-4">
        <h2 className="text-sm font-semibold text-slate-900">Version history</h2>
        <Button variant="ghost" size="sm" onClick={onClose} aria-label="Close version history">
          Close
        </Button>
      </div>
      <div className="border-b border-slate-100 px-4 py-2.5 text-[12px] text-slate-500">
        {from !== undefined && to !== undefined ? (
          <Link href={`/pipelines/${id}/compare?from=${from}&to=${to}`} className={buttonClass("primary", "sm")}>
            Compare v{from} → v{to}
          </Link>
        ) : (
          "Tick two versions to compare them."
        )}
      </div>
      {q.error ? (
        <div className="p-4">
          <ErrorNote error={q.error} title="Could not load versions" />
        </div>
      ) : null}
      <ol className="flex-1 overflow-y-auto">
        {q.data?.map((v) => (
          <li key={v.version} data-testid={`version-${v.version}`} className="border-b border-slate-100 px-4 py-3">
            <div className="flex items-center gap-2">
              <input
                type="checkbox"
                aria-label={`Select version ${v.version}`}
                checked={picked.includes(v.version)}
                onChange={() => toggle(v.version)}
                className="h-3.5 w-3.5 accent-indigo-600"
              />
              <span className="text-[13px] font-semibold text-slate-900">v{v.version}</span>
              {v.version === current ? <span className="rounded bg-indigo-50 px-1.5 text-[10.5px] font-semibold text-indigo-700">on canvas</span> : null}
              <span className="ml-auto text-[11.5px] text-slate-400" title={formatDateTime(v.createdAt)}>
                {formatRelative(v.createdAt)}
              </span>
            </div>
            <div className="mt-1 pl-5.5 text-[13px] text-slate-700">{v.message || <span className="italic text-slate-400">no message</span>}</div>
            <div className="mt-1 flex items-center pl-5.5 text-[11.5px] text-slate-500">
              <span>{v.createdBy?.name ?? "unknown author"}</span>
              {v.version !== current ? (
                <button
                  type="button"
                  onClick={() => onRestore(v.version)}
                  className="ml-auto text-indigo-600 hover:underline"
                  aria-label={`Restore version ${v.version}`}
                >
                  Restore
                </button>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
    </aside>
  );
}
