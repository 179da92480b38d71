"use client";
/** /approvals: the inbox — gate.approval steps waiting for a person first, then the ones decided (or expired). */
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../trpc/trpc";
import { Actor } from "../ui/actor";
import { formatDateTime, formatRelative, formatUntil } from "../ui/format";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { RunLink } from "../ui/run-link";
import { ApprovalStatus } from "./approval-status";

type Approval = RouterOutputs["approvals"]["list"][number];

export function ApprovalList() {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.approvals.list.queryOptions({}), refetchInterval: 5_000 });
  const pending = list.data?.filter((a) => a.status === "pending") ?? [];
  const decided = list.data?.filter((a) => a.status !== "pending") ?? [];
  return (
    <PageContainer>
      <PageHeader title="Approvals" subtitle="Runs waiting at a gate.approval step for a person to approve or reject their model." />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorNote error={list.error} title="Could not load approvals" />
      ) : list.data.length === 0 ? (
        <EmptyState title="Nothing to approve">A pipeline with a gate.approval node stops here until someone approves or rejects its model.</EmptyState>
      ) : (
        <div className="space-y-5">
          <Card title={`Waiting for a decision (${pending.length})`}>
            {pending.length === 0 ? (
              <div className="px-4 py-6 text-sm text-slate-500">Nothing is waiting. Decided approvals are below.</div>
            ) : (
              <Table>
                <thead>
                  <tr>
                    <th>Model</th>
                    <th>Pipeline and run</th>
                    <th>Against</th>
                    <th className="text-right">Waiting</th>
                  </tr>
                </thead>
                <tbody>
                  {pending.map((a) => (
                    <tr key={a.id} className="hover:bg-slate-50/60" data-testid="approval-row" data-status={a.status}>
                      <td className="max-w-[200px]">
                        <Link href={`/approvals/${a.id}`} className="block truncate font-medium text-indigo-700 hover:underline" title={a.modelName}>
                          {a.modelName}
                        </Link>
                        <div className="truncate text-[11.5px] text-slate-500" title={a.instructions}>
                          {a.instructions || "no instructions"}
                        </div>
                      </td>
                      <PipelineCell a={a} />
                      <td className="whitespace-nowrap text-[12px] text-slate-600">{a.champion ? `champion v${a.champion.version}` : "no champion yet"}</td>
                      <td className="whitespace-nowrap text-right">
                        <div className="text-slate-600" title={formatDateTime(a.createdAt)}>
                          since {formatRelative(a.createdAt)}
                        </div>
                        <div className="text-[12px] text-amber-700" title={formatDateTime(a.expiresAt)}>
                          expires {formatUntil(a.expiresAt)}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
          {decided.length ? (
            <Card title="Decided">
              <Table>
                <thead>
                  <tr>
                    <th>Decision</th>
                    <th>Model, pipeline and run</th>
                    <th>By, and why</th>
                  </tr>
                </thead>
                <tbody>
                  {decided.map((a) => (
                    <tr key={a.id} className="hover:bg-slate-50/60" data-testid="approval-row" data-status={a.status}>
                      <td className="whitespace-nowrap">
                        <ApprovalStatus status={a.status} />
                        <div className="mt-0.5 text-[12px] text-slate-500" title={formatDateTime(a.decidedAt ?? a.expiresAt)}>
                          {formatRelative(a.decidedAt ?? a.expiresAt)}
                        </div>
                      </td>
                      <td className="max-w-[360px]">
                        <Link href={`/approvals/${a.id}`} className="block truncate font-medium text-slate-800 hover:text-indigo-700" title={a.modelName}>
                          {a.modelName}
                        </Link>
                        <div className="flex min-w-0 items-baseline gap-1 text-[12px] text-slate-500">
                          <Link
                            href={`/pipelines/${a.pipeline.id}`}
                            className="truncate hover:text-indigo-700"
                            title={`${a.pipeline.name} v${a.pipeline.version}`}
                          >
                            {a.pipeline.name} v{a.pipeline.version}
                          </Link>
                          <span className="shrink-0">
                            · run <RunLink runId={a.runId} />
                          </span>
                        </div>
                      </td>
                      <td>
                        <div className="whitespace-nowrap">
                          {a.decidedBy ? <Actor actor={a.decidedBy} /> : <span className="text-slate-400">nobody: it expired</span>}
                        </div>
                        {a.comment ? (
                          <div className="max-w-[320px] truncate text-[12px] text-slate-500" title={a.comment}>
                            {a.comment}
                          </div>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </Card>
          ) : null}
        </div>
      )}
    </PageContainer>
  );
}

function PipelineCell({ a }: { a: Approval }) {
  return (
    <td className="max-w-[260px]">
      <Link
        href={`/pipelines/${a.pipeline.id}`}
        className="flex min-w-0 items-baseline gap-1.5 text-slate-700 hover:text-indigo-700"
        title={`${a.pipeline.name} v${a.pipeline.version}`}
      >
        <span className="truncate">{a.pipeline.name}</span> <span className="shrink-0 text-xs text-slate-400">v{a.pipeline.version}</span>
      </Link>
      <div className="text-[12px] text-slate-400">
        run <RunLink runId={a.runId} />
      </div>
    </td>
  );
}
