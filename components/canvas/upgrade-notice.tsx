"use client";
/**
 * In the settings panel of a node whose type has a newer version: what is
 * new, and "Upgrade to vN", which first shows what the upgrade changes in the
 * node's config (before → after, the compare view's look) and applies it as
 * one undoable edit.
 */
import { useMemo, useState } from "react";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { FieldChangesTable, showValue } from "./field-changes";
import type { PipelineNode, PipelineNodeData } from "./graph-spec";
import { upgradePreview } from "./node-upgrade";

export function UpgradeNotice({ node, onUpgrade }: { node: PipelineNode; onUpgrade: (data: PipelineNodeData) => void }) {
  const preview = useMemo(() => upgradePreview(node.data), [node.data]);
  const [open, setOpen] = useState(false);
  if (!preview) return null;
  const type = preview.data.type;
  return (
    <div className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2.5 text-[12px] text-amber-900" data-testid="upgrade-notice">
      <div className="font-medium">
        This node uses {type} v{preview.from}; v{preview.to} is the newest.
      </div>
      {preview.note ? <p className="mt-1 leading-snug text-amber-800">{preview.note}</p> : null}
      <Button size="sm" variant="secondary" className="mt-2" onClick={() => setOpen(true)}>
        Upgrade to v{preview.to}
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        wide
        title={`Upgrade ${node.id} to ${type} v${preview.to}`}
        description={preview.note ?? `From v${preview.from} to v${preview.to}.`}
        footer={
          <>
            <Button variant="ghost" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button
              variant="primary"
              onClick={() => {
                onUpgrade(preview.data);
                setOpen(false);
              }}
            >
              Apply upgrade
            </Button>
          </>
        }
      >
        <div className="flex items-center gap-2">
          <span className="rounded bg-amber-50 px-1.5 text-[10.5px] font-semibold uppercase text-amber-700">changed</span>
          <span className="font-mono text-[12px] font-semibold text-slate-800">{node.id}</span>
        </div>
        <FieldChangesTable changes={preview.changes} testId="upgrade-diff" />
        {preview.added.length ? (
          <div className="mt-4">
            <div className="text-[11px] font-semibold uppercase tracking-wider text-slate-400">New settings in v{preview.to}</div>
            <ul className="mt-1.5 space-y-1.5 text-[12.5px]">
              {preview.added.map((f) => (
                <li key={f.name} className="flex gap-2">
                  <span className="self-start rounded bg-emerald-50 px-1.5 text-[10.5px] font-semibold uppercase leading-5 text-emerald-700">added</span>
                  <span>
                    <code className="font-mono text-slate-800">{f.name}</code>
                    <span className="text-slate-500">
                      {" "}
                      {f.default !== undefined ? `default ${showValue(f.default)}` : f.required ? "required" : "optional"}
                    </span>
                    {f.description ? <span className="block text-slate-500">{f.description}</span> : null}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {preview.removed.length ? (
          <p className="mt-3 text-[12.5px] text-slate-600">
            No longer in v{preview.to}:{" "}
            {preview.removed.map((n) => (
              <code key={n} className="mr-1 font-mono text-rose-700">
                {n}
              </code>
            ))}
          </p>
        ) : null}
        <p className="mt-4 text-[12px] text-slate-500">
          The upgrade is one edit: Undo (Ctrl+Z) takes it back. It is saved with the next version of the pipeline.
        </p>
      </Dialog>
    </div>
  );
}
