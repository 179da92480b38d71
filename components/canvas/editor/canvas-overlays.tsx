"use client";
/**
 * What is laid over the canvas: the empty state (templates, import), the
 * offer to restore a draft kept in this browser, and the toast (with the hook
 * that shows it for a while).
 */
import { useCallback, useEffect, useState } from "react";
import type { PipelineSpecInput } from "../../../workflows/spec/spec";
import { SEED_TEMPLATES } from "../../../contract/templates";
import { Button } from "../../ui/button";
import { AlertIcon } from "../../ui/icons";
import { formatTime, type LocalDraft } from "./use-autosave";

/** A toast message and `flash`, which shows one (stable identity). */
export function useToast() {
  const [toast, setToast] = useState<string | null>(null);
  const flash = useCallback((message: string) => {
    setToast(message);
  }, []);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 4500);
    return () => clearTimeout(t);
  }, [toast]);
  return { toast, flash };
}

export function Toast({ message }: { message: string }) {
  return (
    <div
      role="status"
      className="absolute left-1/2 top-3 z-20 flex max-w-[70%] -translate-x-1/2 items-center gap-2 rounded-md bg-slate-900 px-3.5 py-2 text-[13px] text-white shadow-lg"
    >
      {/^(Saved|Pasted|Copied|Imported|Restored|Back|Started)/.test(message) ? null : <AlertIcon className="shrink-0 text-amber-300" />}
      {message}
    </div>
  );
}

export function EmptyCanvas({ onImport, onLoad }: { onImport: () => void; onLoad: (spec: PipelineSpecInput, problems: number, what: string) => void }) {
  return (
    <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
      <div className="pointer-events-auto rounded-xl border border-dashed border-slate-300 bg-white/85 px-8 py-6 text-center">
        <div className="text-sm font-medium text-slate-700">Drag a node here to start</div>
        <div className="mt-1 max-w-xs text-[13px] text-slate-500">
          Begin with <span className="font-medium text-slate-700">CSV dataset</span> from the palette, press{" "}
          <kbd className="rounded border border-slate-300 px-1 text-[11px]">Ctrl K</kbd> to add by name,{" "}
          <button type="button" onClick={onImport} className="text-indigo-600 hover:underline">
            import a spec
          </button>{" "}
          or start from a template:
        </div>
        <div className="mt-3 flex flex-wrap justify-center gap-2">
          {SEED_TEMPLATES.map((t) => (
            <Button key={t.spec.name} size="sm" onClick={() => onLoad(structuredClone(t.spec) as PipelineSpecInput, 0, `Started from “${t.spec.name}”`)}>
              {t.spec.name}
            </Button>
          ))}
        </div>
      </div>
    </div>
  );
}

export function LocalDraftOffer({ offer, onRestore, onDiscard }: { offer: LocalDraft; onRestore: () => void; onDiscard: () => void }) {
  return (
    <div
      role="region"
      aria-label="Unsaved pipeline"
      className="absolute left-1/2 top-3 z-20 flex -translate-x-1/2 items-center gap-3 rounded-md border border-amber-200 bg-amber-50 px-3.5 py-2 text-[13px] text-amber-900 shadow-md"
    >
      <span>
        An unsaved pipeline from {formatTime(offer.at)} ({offer.spec.nodes.length} node{offer.spec.nodes.length === 1 ? "" : "s"}) is kept in this browser.
      </span>
      <Button size="sm" variant="primary" onClick={onRestore}>
        Restore
      </Button>
      <Button size="sm" variant="ghost" onClick={onDiscard}>
        Discard
      </Button>
    </div>
  );
}
