"use client";
/** The home page: every pipeline of the team, with its latest run and a one-click run. */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { refusable } from "../trpc/refusable";
import { useTRPC } from "../trpc/trpc";
import { Button, buttonClass } from "../ui/button";
import { formatRelative } from "../ui/format";
import { PlusIcon, RunIcon } from "../ui/icons";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader } from "../ui/page";
import { StatusBadge, Tag } from "../ui/status-badge";

export function PipelineList() {
  const trpc = useTRPC();
  const router = useRouter();
  const pipelines = useQuery(trpc.pipelines.list.queryOptions());
  const runs = useQuery(trpc.runs.list.queryOptions({}));
  const start = useMutation(trpc.runs.start.mutationOptions());
  const [runError, setRunError] = useState<unknown>(null);

  const lastRun = useMemo(() => {
    const m = new Map<string, NonNullable<typeof runs.data>[number]>();
    for (const r of runs.data ?? []) if (!m.has(r.pipelineId)) m.set(r.pipelineId, r);
    return m;
  }, [runs.data]);

  const runNow = async (pipelineId: string) => {
    setRunError(null);
    try {
      const r = await refusable(() => start.mutateAsync({ pipelineId }));
      if (r.ok) router.push(`/runs/${r.runId}`);
      else setRunError(new Error(r.errors.map((e) => `${e.nodeId ?? "pipeline"}: ${e.message}`).join("; ")));
    } catch (e) {
      setRunError(e);
    }
  };

  return (
    <PageContainer>
      <PageHeader
        title="Pipelines"
        subtitle="Draw a pipeline, run it as a durable workflow, ship the model it trains."
        actions={
          <Link href="/pipelines/new" className={buttonClass("primary")}>
            <PlusIcon />
            New pipeline
          </Link>
        }
      />
      {runError ? (
        <div className="mb-4">
          <ErrorNote error={runError} title="Could not start the run" />
        </div>
      ) : null}
      {pipelines.isPending ? (
        <Loading />
      ) : pipelines.isError ? (
        <ErrorNote error={pipelines.error} title="Could not load pipelines" />
      ) : pipelines.data.length === 0 ? (
        <EmptyState
          title="No pipelines yet"
          action={
            <Link href="/pipelines/new" className={buttonClass("primary")}>
              <PlusIcon />
              New pipeline
            </Link>
          }
        >
          Start from an empty canvas: ingest a CSV, split it, train a model, evaluate, gate and deploy.
        </EmptyState>
      ) : (
        <Card>
          <ul className="divide-y divide-slate-100">
            {pipelines.data.map((p) => {
              const run = lastRun.get(p.id);
              return (
                <li key={p.id} className="group flex items-center gap-5 px-5 py-4 hover:bg-slate-50/60" data-testid={`pipeline-${p.id}`}>
                  <div className="min-w-0 flex-1">
                    <div className="flex items-center gap-2">
                      <Link href={`/pipelines/${p.id}`} className="truncate text-[15px] font-semibold text-slate-900 hover:text-indigo-700">
                        {p.name}
                      </Link>
                      {"isTemplate" in p && p.isTemplate ? <Tag tone="indigo">sample</Tag> : null}
                      <span className="text-xs text-slate-400">v{p.latestVersion}</span>
                    </div>
                    {p.description ? <p className="mt-0.5 line-clamp-2 text-sm text-slate-500">{p.description}</p> : null}
                  </div>
                  <div className="w-44 shrink-0 text-right text-xs text-slate-500">
                    {run ? (
                      <Link href={`/runs/${run.id}`} className="inline-flex items-center gap-2 hover:text-slate-800">
                        <StatusBadge status={run.status} />
                        {formatRelative(run.createdAt)}
                      </Link>
                    ) : (
                      <span className="text-slate-400">never run</span>
                    )}
                  </div>
                  <div className="w-32 shrink-0 whitespace-nowrap text-right text-xs text-slate-400">updated {formatRelative(p.updatedAt)}</div>
                  <div className="flex shrink-0 items-center gap-2">
                    <Link href={`/pipelines/${p.id}`} className={buttonClass("secondary", "sm")}>
                      Open
                    </Link>
                    <Button size="sm" variant="secondary" aria-label={`Run ${p.name}`} disabled={start.isPending} onClick={() => void runNow(p.id)}>
                      <RunIcon width={12} height={12} />
                      Run
                    </Button>
                  </div>
                </li>
              );
            })}
          </ul>
        </Card>
      )}
      <HowItWorks />
    </PageContainer>
  );
}

function HowItWorks() {
  const steps = [
    ["Draw", "Drop nodes on the canvas and connect typed ports: dataset → model → metrics → decision → deployment."],
    ["Run", "Each saved version compiles to a Temporal workflow; steps are cached, retried and logged."],
    ["Ship", "A passing gate registers the model, moves its alias and serves it over Open Inference Protocol v2."],
    ["Check", "Run the same ONNX model in your browser and compare it with the server, to 1e-5."],
  ];
  return (
    <div className="mt-8 grid grid-cols-4 gap-4">
      {steps.map(([t, d], i) => (
        <div key={t} className="rounded-lg border border-slate-200 bg-white px-4 py-3.5">
          <div className="flex items-center gap-2 text-sm font-semibold text-slate-800">
            <span className="flex h-5 w-5 items-center justify-center rounded-full bg-indigo-50 text-[11px] font-semibold text-indigo-600">{i + 1}</span>
            {t}
          </div>
          <p className="mt-1.5 text-[12.5px] leading-relaxed text-slate-500">{d}</p>
        </div>
      ))}
    </div>
  );
}
