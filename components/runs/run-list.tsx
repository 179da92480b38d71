"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { durationBetween, formatDuration, formatRelative, formatTrigger } from "../ui/format";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { isFinished, StatusBadge } from "../ui/status-badge";

/** Every run of the team (or of one pipeline with ?pipeline=<id>), newest first; live while any runs. */
export function RunList() {
  const trpc = useTRPC();
  const pipelineId = useSearchParams().get("pipeline") ?? undefined;
  const runs = useQuery({
    ...trpc.runs.list.queryOptions(pipelineId ? { pipelineId } : {}),
    refetchInterval: (q) => (q.state.data?.some((r) => !isFinished(r.status)) ? 2000 : false),
  });
  const name = pipelineId ? runs.data?.[0]?.pipelineName : undefined;
  return (
    <PageContainer>
      <PageHeader
        title="Runs"
        subtitle={
          pipelineId ? (
            <>
              Runs of {name ?? "this pipeline"} ·{" "}
              <Link className="text-indigo-600 hover:underline" href="/runs">
                all runs
              </Link>
            </>
          ) : (
            "Every pipeline run, newest first."
          )
        }
      />
      {runs.isPending ? (
        <Loading />
      ) : runs.isError ? (
        <ErrorNote error={runs.error} title="Could not load runs" />
      ) : runs.data.length === 0 ? (
        <EmptyState title="No runs yet">Open a pipeline and press Run.</EmptyState>
      ) : (
        <Card>
          <Table>
            <thead>
              <tr>
                <th>Status</th>
                <th>Pipeline</th>
                <th>Run</th>
                <th>Trigger</th>
                <th>Started</th>
                <th className="text-right">Duration</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.map((r) => (
                <tr key={r.id} className="hover:bg-slate-50/60">
                  <td className="w-32">
                    <StatusBadge status={r.status} />
                  </td>
                  <td>
                    <Link href={`/runs/${r.id}`} className="font-medium text-slate-800 hover:text-indigo-700">
                      {r.pipelineName}
                    </Link>
                    <span className="ml-1.5 text-xs text-slate-400">v{r.pipelineVersion}</span>
                  </td>
                  <td>
                    <Link href={`/runs/${r.id}`} className="font-mono text-xs text-slate-500 hover:text-indigo-700">
                      {r.id.slice(0, 8)}
                    </Link>
                  </td>
                  <td className="text-xs text-slate-500" data-testid="run-trigger">
                    {formatTrigger(r.trigger)}
                  </td>
                  <td className="text-slate-500">{formatRelative(r.createdAt)}</td>
                  <td className="text-right font-mono text-xs text-slate-500">
                    {formatDuration(durationBetween(r.startedAt ?? r.createdAt, isFinished(r.status) ? r.finishedAt : null))}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      )}
    </PageContainer>
  );
}
