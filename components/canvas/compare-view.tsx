"use client";
/**
 * Visual diff of two versions of a pipeline: both graphs overlaid on one
 * read-only canvas, nodes marked added / removed / changed, and every changed
 * field listed with its before and after values (diffSpecs, a pure function).
 */
import { useMemo } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { Background, BackgroundVariant, Controls, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { diffSpecs, type FieldChange, type SpecDiff } from "../../workflows/spec/diff";
import type { PipelineSpecInput } from "../../workflows/spec/spec";
import { useTRPC } from "../trpc/trpc";
import { ErrorNote, Loading } from "../ui/page";
import { CanvasContext } from "./editor-context";
import { fromSpec, type PipelineEdge, type PipelineNode } from "./graph-spec";
import { NODE_TYPES } from "./pipeline-node";
import { DIFF_STYLE } from "./node-style";
import { FieldChangesTable } from "./field-changes";

type Mark = "added" | "removed" | "changed";

/** The union of both graphs: `after`'s nodes and edges plus what `before` had and `after` lost. */
export function overlay(before: PipelineSpecInput, after: PipelineSpecInput, diff: SpecDiff) {
  const a = fromSpec(before);
  const b = fromSpec(after);
  const removed = new Set(diff.nodes.removed);
  const nodes = [...b.nodes, ...a.nodes.filter((n) => removed.has(n.id))];
  const key = (e: PipelineEdge) => `${e.source}.${e.sourceHandle ?? ""} → ${e.target}.${e.targetHandle ?? ""}`;
  const goneEdges = new Set(diff.edges.removed);
  const newEdges = new Set(diff.edges.added);
  const edges: PipelineEdge[] = [
    ...b.edges.map((e) => (newEdges.has(key(e)) ? { ...e, className: "diff-added", style: { ...e.style, stroke: "#10b981", strokeWidth: 2.5 } } : e)),
    ...a.edges
      .filter((e) => goneEdges.has(key(e)))
      .map((e) => ({ ...e, id: `removed:${e.id}`, className: "diff-removed", style: { ...e.style, stroke: "#f43f5e", strokeDasharray: "6 4" } })),
  ];
  const marks = new Map<string, Mark>([
    ...diff.nodes.added.map((id) => [id, "added"] as const),
    ...diff.nodes.removed.map((id) => [id, "removed"] as const),
    ...diff.nodes.changed.filter((c) => c.fields.some((f) => !f.field.startsWith("position"))).map((c) => [c.id, "changed"] as const),
  ]);
  return { nodes, edges, marks };
}

export function CompareVersions({ id, from, to }: { id: string; from: number; to: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const valid = Number.isInteger(from) && Number.isInteger(to) && from > 0 && to > 0;
  const versions = useQuery(trpc.pipelines.versions.queryOptions({ id }));
  const a = useQuery({ ...trpc.pipelines.get.queryOptions({ id, version: from }), enabled: valid });
  const b = useQuery({ ...trpc.pipelines.get.queryOptions({ id, version: to }), enabled: valid });
  const result = useMemo(() => {
    if (!a.data || !b.data) return null;
    const before = a.data.spec as PipelineSpecInput;
    const after = b.data.spec as PipelineSpecInput;
    const diff = diffSpecs(before, after);
    return { diff, ...overlay(before, after, diff) };
  }, [a.data, b.data]);
  const ctx = useMemo(() => ({ readOnly: true, errorsByNode: new Map(), diffByNode: result?.marks }), [result]);

  if (!valid)
    return (
      <div className="p-8">
        <ErrorNote error={new Error("choose two versions: ?from=1&to=2")} title="Nothing to compare" />
      </div>
    );
  const err = a.error ?? b.error ?? versions.error;
  if (err)
    return (
      <div className="p-8">
        <ErrorNote error={err} title="Could not load the versions" />
      </div>
    );
  if (!result || !versions.data) return <Loading label="Loading versions…" />;
  const { diff } = result;
  const pick = (which: "from" | "to", v: number) =>
    router.replace(`/pipelines/${id}/compare?from=${which === "from" ? v : from}&to=${which === "to" ? v : to}`);
  const nothing =
    !diff.nodes.added.length &&
    !diff.nodes.removed.length &&
    !diff.nodes.changed.length &&
    !diff.edges.added.length &&
    !diff.edges.removed.length &&
    !diff.pipeline.length;

  return (
    <div className="flex h-full flex-col">
      <div className="flex h-12 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-4 text-sm">
        <Link href={`/pipelines/${id}`} className="text-slate-500 hover:text-slate-800">
          {b.data?.name ?? "Pipeline"}
        </Link>
        <span className="text-slate-300">/</span>
        <span className="font-semibold text-slate-900">Compare</span>
        <label className="ml-4 flex items-center gap-1.5 text-slate-600">
          from
          <select
            aria-label="From version"
            value={from}
            onChange={(e) => pick("from", Number(e.target.value))}
            className="h-8 rounded-md border border-slate-200 bg-white px-2"
          >
            {versions.data.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          aria-label="Swap versions"
          title="Swap from and to"
          onClick={() => router.replace(`/pipelines/${id}/compare?from=${to}&to=${from}`)}
          className="rounded px-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900"
        >
          ⇄
        </button>
        <label className="flex items-center gap-1.5 text-slate-600">
          to
          <select
            aria-label="To version"
            value={to}
            onChange={(e) => pick("to", Number(e.target.value))}
            className="h-8 rounded-md border border-slate-200 bg-white px-2"
          >
            {versions.data.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
        </label>
        <div className="ml-auto flex items-center gap-3 text-xs text-slate-600" aria-label="Legend">
          {(["added", "removed", "changed"] as const).map((m) => (
            <span key={m} className="flex items-center gap-1.5">
              <span className={`h-3 w-3 rounded ${DIFF_STYLE[m].ring}`} />
              {m}
            </span>
          ))}
        </div>
      </div>
      <div className="flex min-h-0 flex-1">
        <div className="relative min-w-0 flex-1" data-testid="compare-canvas">
          <ReactFlowProvider>
            <CanvasContext.Provider value={ctx}>
              <ReactFlow<PipelineNode, PipelineEdge>
                nodes={result.nodes}
                edges={result.edges}
                nodeTypes={NODE_TYPES}
                nodesDraggable={false}
                nodesConnectable={false}
                elementsSelectable={false}
                fitView
                fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
                minZoom={0.2}
                attributionPosition="bottom-right"
              >
                <Background variant={BackgroundVariant.Dots} gap={20} size={1} />
                <Controls position="top-left" showInteractive={false} orientation="horizontal" />
              </ReactFlow>
            </CanvasContext.Provider>
          </ReactFlowProvider>
        </div>
        <aside aria-label="Changes" className="w-96 shrink-0 overflow-y-auto border-l border-slate-200 bg-white p-4 text-[13px]">
          <h2 className="text-sm font-semibold text-slate-900">
            v{from} → v{to}
          </h2>
          {nothing ? <p className="mt-3 text-slate-500">These versions are identical.</p> : null}
          {diff.layoutOnly && !nothing ? <p className="mt-3 text-slate-500">Only node positions changed.</p> : null}
          <Section title="Pipeline" changes={diff.pipeline} />
          {diff.nodes.added.map((n) => (
            <Line key={n} mark="added" text={`${n} added`} />
          ))}
          {diff.nodes.removed.map((n) => (
            <Line key={n} mark="removed" text={`${n} removed`} />
          ))}
          {diff.nodes.changed.map((c) => (
            <Section key={c.id} title={c.id} mark="changed" changes={c.fields} />
          ))}
          {diff.edges.added.map((e) => (
            <Line key={e} mark="added" text={`edge ${e}`} />
          ))}
          {diff.edges.removed.map((e) => (
            <Line key={e} mark="removed" text={`edge ${e}`} />
          ))}
        </aside>
      </div>
    </div>
  );
}

function Line({ mark, text }: { mark: Mark; text: string }) {
  return (
    <div className="mt-2 flex items-center gap-2" data-testid={`diff-${mark}`}>
      <span className={`rounded px-1.5 text-[10.5px] font-semibold uppercase ${DIFF_STYLE[mark].badge}`}>{mark}</span>
      <span className="font-mono text-[12px] text-slate-700">{text}</span>
    </div>
  );
}

function Section({ title, mark, changes }: { title: string; mark?: Mark; changes: FieldChange[] }) {
  if (!changes.length) return null;
  return (
    <div className="mt-4" data-testid={mark ? `diff-node-${title}` : "diff-pipeline"}>
      <div className="flex items-center gap-2">
        {mark ? <span className={`rounded px-1.5 text-[10.5px] font-semibold uppercase ${DIFF_STYLE[mark].badge}`}>{mark}</span> : null}
        <span className="font-mono text-[12px] font-semibold text-slate-800">{title}</span>
      </div>
      <FieldChangesTable changes={changes} />
    </div>
  );
}
