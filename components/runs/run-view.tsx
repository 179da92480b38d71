"use client";
/**
 * /runs/{runId}: live status of a pipeline run. Polls every second until the
 * run finishes; the graph is the saved pipeline version, coloured by step status.
 */
import Link from "next/link";
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Button, buttonClass } from "../ui/button";
import { resolveNodeType } from "../../workflows/nodes/registry";
import type { PipelineSpecInput } from "../../workflows/spec/spec";
import { useTRPC, type RunDetail, type RunMetric, type RunStep } from "../trpc/trpc";
import { durationBetween, formatDateTime, formatDuration, formatTrigger } from "../ui/format";
import { ChevronIcon } from "../ui/icons";
import { Card, ErrorNote, Loading, PageContainer } from "../ui/page";
import { isFinished, StatusBadge, STATUS_STYLE, Tag, toStatus } from "../ui/status-badge";
import { RunLink } from "../ui/run-link";
import { MetricChart, type SeriesPoint } from "./metric-chart";
import { ImportanceBars } from "./importance-bars";
import { RunGraph, StatusLegend } from "./run-graph";
import { StepOutputs } from "./step-outputs";
import { StepProgressLine } from "./step-progress";
import { stepSummary } from "./step-summary";

export function RunView({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const run = useQuery({
    ...trpc.runs.get.queryOptions({ runId }),
    refetchInterval: (q) => (q.state.data && isFinished(q.state.data.status) ? false : 1000),
    refetchIntervalInBackground: true,
    staleTime: 0,
  });
  const pipeline = useQuery({
    ...trpc.pipelines.get.queryOptions({ id: run.data?.pipelineId ?? "", version: run.data?.pipelineVersion }),
    enabled: !!run.data,
    staleTime: Infinity,
  });
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const labels = useMemo(() => {
    const spec = pipeline.data?.spec as PipelineSpecInput | undefined;
    return new Map((spec?.nodes ?? []).flatMap((n) => (n.label ? [[n.id, n.label] as const] : [])));
  }, [pipeline.data]);

  if (run.isPending) return <Loading label="Loading run…" />;
  if (run.isError)
    return (
      <PageContainer>
        <ErrorNote error={run.error} title="Could not load this run" />
      </PageContainer>
    );

  const r = run.data;
  const toggle = (nodeId: string, value?: boolean) => setOpen((o) => ({ ...o, [nodeId]: value ?? !isOpen(nodeId) }));
  const isOpen = (nodeId: string) => open[nodeId] ?? r.steps.find((s) => s.nodeId === nodeId)?.status === "failed";

  return (
    <PageContainer>
      <RunHeader run={r} />
      {r.status === "blocked" ? (
        <div role="status" data-testid="blocked-reason" className="mb-5 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-[13px] text-amber-900">
          <div className="font-semibold">Blocked by a gate: nothing was deployed</div>
          <div className="mt-0.5 whitespace-pre-line">{r.error}</div>
        </div>
      ) : r.error && !(r.status === "cancelled" && r.error === "cancelled") ? (
        <div className="mb-5">
          <ErrorNote error={r.error} title={r.status === "failed" ? "The run failed" : r.status === "cancelled" ? "The run was cancelled" : "Run error"} />
        </div>
      ) : null}
      <WaitingFor run={r} />
      <Card className="mb-5 overflow-hidden" title={`Pipeline v${r.pipelineVersion}`} actions={<StatusLegend />}>
        <div className="h-[300px]" data-testid="run-graph">
          {pipeline.data ? (
            <RunGraph
              spec={pipeline.data.spec as PipelineSpecInput}
              steps={r.steps}
              onSelect={(nodeId) => {
                toggle(nodeId, true);
                document.getElementById(`step-${nodeId}`)?.scrollIntoView({ behavior: "smooth", block: "start" });
              }}
            />
          ) : pipeline.isError ? (
            <div className="p-4">
              <ErrorNote error={pipeline.error} title="Could not load the pipeline graph" />
            </div>
          ) : (
            <Loading label="Loading graph…" />
          )}
        </div>
      </Card>
      <h2 className="mb-2.5 text-sm font-semibold text-slate-800">Steps</h2>
      <div className="space-y-2" data-testid="step-list">
        {r.steps.map((s) => (
          <StepCard
            key={s.nodeId}
            step={s}
            label={labels.get(s.nodeId)}
            metrics={r.metrics.filter((m) => m.nodeId === s.nodeId)}
            open={isOpen(s.nodeId)}
            onToggle={() => toggle(s.nodeId)}
          />
        ))}
      </div>
    </PageContainer>
  );
}

/** A step waiting on a person or a rollout: where to act on it (the approval, the deployment). */
function WaitingFor({ run }: { run: RunDetail }) {
  const trpc = useTRPC();
  const gate = run.steps.find((s) => s.type === "gate.approval" && s.status === "running");
  const approvals = useQuery({ ...trpc.approvals.list.queryOptions({ status: "pending" }), enabled: !!gate, refetchInterval: 5_000 });
  const approval = gate ? approvals.data?.find((a) => a.runId === run.id && a.nodeId === gate.nodeId) : undefined;
  const rollout = run.steps
    .filter((s) => s.type === "deploy.endpoint" && s.status === "running")
    .map((s) => s.outputs?.deployment)
    .find((d): d is Extract<NonNullable<typeof d>, { kind: "deployment" }> => d?.kind === "deployment");
  if (!approval && !rollout) return null;
  return (
    <div role="status" data-testid="waiting-for" className="mb-5 space-y-1 rounded-lg border border-sky-200 bg-sky-50 px-4 py-3 text-[13px] text-sky-900">
      {approval ? (
        <div>
          Step <span className="font-mono">{approval.nodeId}</span> waits for a person to approve {approval.modelName}.{" "}
          <Link href={`/approvals/${approval.id}`} className="font-medium text-indigo-700 hover:underline">
            Open the approval →
          </Link>
        </div>
      ) : null}
      {rollout ? (
        <div>
          Rolling out {rollout.model} v{rollout.version} ({rollout.strategy}).{" "}
          <Link href={`/deployments/${encodeURIComponent(rollout.name)}`} className="font-medium text-indigo-700 hover:underline">
            See the deployment →
          </Link>
        </div>
      ) : null}
    </div>
  );
}

/** A failed, cancelled or blocked run: retry it (succeeded steps reused), or fix the failed step and resume. */
function RetryActions({ run }: { run: RunDetail }) {
  const trpc = useTRPC();
  const router = useRouter();
  const retry = useMutation(trpc.runs.retry.mutationOptions({ onSuccess: (r) => router.push(`/runs/${r.runId}`) }));
  if (run.status === "succeeded") return null;
  const failedStep = run.steps.find((s) => s.status === "failed");
  return (
    <span className="ml-auto flex items-center gap-2">
      {retry.error ? <span className="text-xs text-rose-700">{retry.error.message}</span> : null}
      {run.status === "failed" ? (
        <Link
          className={buttonClass("secondary", "sm")}
          href={`/pipelines/${run.pipelineId}?resume=${run.id}&version=${run.pipelineVersion}${failedStep ? `&select=${encodeURIComponent(failedStep.nodeId)}` : ""}`}
          title="Open this version with the failed step selected; the next run reuses what did not change"
        >
          Edit and resume
        </Link>
      ) : null}
      <Button
        size="sm"
        disabled={retry.isPending || retry.isSuccess}
        onClick={() => retry.mutate({ runId: run.id })}
        title="Run this version again; steps that succeeded are reused"
      >
        {retry.isPending || retry.isSuccess ? "Starting…" : "Retry"}
      </Button>
    </span>
  );
}

/** Cancels the run through Temporal; the page shows it ending `cancelled`. */
function CancelRun({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({ onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ runId }) }) }),
  );
  return (
    <span className="ml-auto flex items-center gap-2">
      {cancel.error ? <span className="text-xs text-rose-700">{cancel.error.message}</span> : null}
      <Button variant="danger" size="sm" disabled={cancel.isPending || cancel.isSuccess} onClick={() => cancel.mutate({ runId })}>
        {cancel.isPending || cancel.isSuccess ? "Cancelling…" : "Cancel run"}
      </Button>
    </span>
  );
}

function RunHeader({ run }: { run: RunDetail }) {
  const finished = isFinished(run.status);
  const duration = durationBetween(run.startedAt ?? run.createdAt, finished ? run.finishedAt : null);
  const done = run.steps.filter((s) => s.status !== "queued" && s.status !== "running").length;
  return (
    <div className="mb-5">
      <div className="mb-1 text-xs text-slate-500">
        <Link href="/runs" className="hover:text-slate-800">
          Runs
        </Link>
        <span className="mx-1.5 text-slate-300">/</span>
        <span className="font-mono">{run.id.slice(0, 8)}</span>
      </div>
      <div className="flex items-center gap-3">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">
          <Link href={`/pipelines/${run.pipelineId}`} className="hover:text-indigo-700">
            {run.pipelineName}
          </Link>
          <span className="ml-2 text-sm font-normal text-slate-400">v{run.pipelineVersion}</span>
        </h1>
        <span data-testid="run-status" data-status={run.status}>
          <StatusBadge status={run.status} className="text-[13px]" />
        </span>
        {finished ? <RetryActions run={run} /> : <CancelRun runId={run.id} />}
      </div>
      <dl className="mt-3 flex flex-wrap gap-x-8 gap-y-2 text-[12.5px]">
        <Fact label="Workflow">
          <code className="font-mono text-[12px] text-slate-700" data-testid="workflow-id">
            {run.workflowId}
          </code>
        </Fact>
        <Fact label={run.startedAt ? "Started" : "Queued at"}>{formatDateTime(run.startedAt ?? run.createdAt)}</Fact>
        <Fact label="Duration">{formatDuration(duration)}</Fact>
        <Fact label="Steps">
          {done} / {run.steps.length}
        </Fact>
        <Fact label="Trigger">
          <span data-testid="run-trigger">{formatTrigger(run.trigger)}</span>
          {typeof run.trigger.detail.of === "string" || typeof run.trigger.detail.resumeOf === "string" ? (
            <>
              {" of "}
              <RunLink runId={String(run.trigger.detail.of ?? run.trigger.detail.resumeOf)} />
            </>
          ) : null}
          {run.trigger.type === "drift" && typeof run.trigger.detail.deployment === "string" ? (
            <>
              {" · "}
              <Link className="text-sky-700 hover:underline" href={`/deployments/${encodeURIComponent(run.trigger.detail.deployment)}/monitoring`}>
                monitoring
              </Link>
            </>
          ) : null}
        </Fact>
      </dl>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-[11px] font-medium uppercase tracking-wide text-slate-400">{label}</dt>
      <dd className="mt-0.5 text-slate-700">{children}</dd>
    </div>
  );
}

function StepCard({ step, label, metrics, open, onToggle }: { step: RunStep; label?: string; metrics: RunMetric[]; open: boolean; onToggle: () => void }) {
  const def = resolveNodeType(step.type);
  const st = STATUS_STYLE[toStatus(step.status)];
  const duration = step.startedAt ? durationBetween(step.startedAt, step.finishedAt) : null;
  const series = useMemo(() => {
    const by = new Map<string, SeriesPoint[]>();
    for (const m of metrics) if (m.step > 0) by.set(m.key, [...(by.get(m.key) ?? []), { step: m.step, value: m.value }]);
    return [...by.entries()].filter(([, pts]) => pts.length > 1);
  }, [metrics]);
  const summary = stepSummary(step);
  return (
    <section
      id={`step-${step.nodeId}`}
      data-testid={`step-${step.nodeId}`}
      data-status={step.status}
      className="scroll-mt-4 overflow-hidden rounded-lg border border-slate-200 bg-white"
    >
      <button type="button" onClick={onToggle} aria-expanded={open} className="flex w-full items-center gap-3 px-4 py-2.5 text-left hover:bg-slate-50/70">
        <ChevronIcon className={`shrink-0 text-slate-400 transition-transform ${open ? "rotate-90" : ""}`} />
        <span className="w-24 shrink-0">
          <StatusBadge status={step.status} />
        </span>
        <span className="w-52 shrink-0 min-w-0">
          <span className="block truncate text-[13px] font-semibold text-slate-800">{label ?? def?.label ?? step.type}</span>
          <span className="block truncate font-mono text-[11px] text-slate-400">{step.nodeId}</span>
        </span>
        {step.status === "running" && step.progress ? (
          <StepProgressLine progress={step.progress} />
        ) : (
          <span
            className={`min-w-0 flex-1 truncate text-[12.5px] ${step.status === "failed" ? "text-rose-700" : step.status === "skipped" || step.status === "cancelled" ? "text-amber-700" : "text-slate-600"}`}
            title={summary}
          >
            {summary}
          </span>
        )}
        <span className="flex shrink-0 items-center gap-2">
          {step.cached ? (
            <Tag tone="violet" title="Outputs reused from an earlier run with the same inputs and config">
              cached
            </Tag>
          ) : null}
          {step.attempt > 1 ? <Tag tone="amber">attempt {step.attempt}</Tag> : null}
          <span className="w-16 text-right font-mono text-[12px] text-slate-500">{formatDuration(duration)}</span>
        </span>
      </button>
      {open ? (
        <div className="space-y-3 border-t border-slate-100 bg-slate-50/40 px-4 py-3" style={{ borderLeft: `3px solid ${st.ring}` }}>
          {step.error ? (
            <div className={`rounded-md px-3 py-2 text-[12.5px] ${step.status === "skipped" ? "bg-amber-50 text-amber-800" : "bg-rose-50 text-rose-800"}`}>
              <span className="font-medium">{step.status === "skipped" ? "Skipped: " : "Error: "}</span>
              {step.error}
            </div>
          ) : null}
          {series.length ? (
            <div className="grid grid-cols-2 gap-3">
              {series.map(([k, pts]) => (
                <MetricChart key={k} name={k} points={pts} />
              ))}
            </div>
          ) : null}
          <ImportanceBars metrics={metrics} />
          <StepOutputs type={step.type} outputs={step.outputs} />
          <div className="flex gap-6 text-[11.5px] text-slate-500">
            <span>started {formatDateTime(step.startedAt)}</span>
            <span>finished {formatDateTime(step.finishedAt)}</span>
            {step.attempt > 0 ? <span>attempt {step.attempt}</span> : null}
            {step.worker ? <span title="the worker process that ran this attempt">worker {step.worker}</span> : null}
          </div>
          <Logs logs={step.logs} />
        </div>
      ) : null}
    </section>
  );
}

function Logs({ logs }: { logs: RunStep["logs"] }) {
  if (!logs.length) return <div className="text-[12px] text-slate-400">No log lines.</div>;
  return (
    <details open={logs.some((l) => l.level === "error")} className="group">
      <summary className="cursor-pointer select-none text-[12px] font-medium text-slate-600 hover:text-slate-900">Logs ({logs.length})</summary>
      <pre
        className="mt-1.5 max-h-72 overflow-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-[11.5px] leading-relaxed text-slate-200"
        data-testid="step-logs"
      >
        {logs.map((l, i) => (
          <div key={i} className={l.level === "error" ? "text-rose-300" : l.level === "warn" ? "text-amber-300" : ""}>
            <span className="text-slate-500">{l.ts.slice(11, 23)} </span>
            <span className="inline-block w-11 uppercase text-slate-400">{l.level}</span>
            {l.message}
          </div>
        ))}
      </pre>
    </details>
  );
}
