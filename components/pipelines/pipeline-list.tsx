"use client";
/**
 * The home page: the team's pipelines with their last run's status, searched
 * by name and sorted; run, duplicate or delete one (a delete can be undone,
 * and deleted pipelines can be listed and restored).
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { refusable } from "../trpc/refusable";
import { useTRPC } from "../trpc/trpc";
import { ActionError } from "../ui/action-error";
import { Button, buttonClass } from "../ui/button";
import { formatDateTime, formatRelative } from "../ui/format";
import { PlusIcon, RunIcon, TrashIcon } from "../ui/icons";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader } from "../ui/page";
import { StatusBadge, Tag } from "../ui/status-badge";

type Sort = "updated" | "name" | "lastRun";
const SORTS: Array<{ value: Sort; label: string }> = [
  { value: "updated", label: "Last updated" },
  { value: "name", label: "Name" },
  { value: "lastRun", label: "Last run" },
];

const FIELD =
  "h-8 rounded-md border border-slate-200 bg-white px-2.5 text-[13px] text-slate-700 focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100";

export function PipelineList() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<Sort>("updated");
  const [showDeleted, setShowDeleted] = useState(false);
  // Ask the server once typing pauses.
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  const pipelines = useQuery({
    ...trpc.pipelines.list.queryOptions({ ...(q ? { q } : {}), sort, show: showDeleted ? "deleted" : "live" }),
    placeholderData: keepPreviousData,
  });
  const start = useMutation(trpc.runs.start.mutationOptions());
  const remove = useMutation(trpc.pipelines.delete.mutationOptions());
  const restore = useMutation(trpc.pipelines.restore.mutationOptions());
  const duplicate = useMutation(trpc.pipelines.duplicate.mutationOptions());
  const [failure, setFailure] = useState<{ title: string; error: unknown } | null>(null);
  const [notice, setNotice] = useState<{ text: string; undo?: { id: string; name: string } } | null>(null);
  const busy = start.isPending || remove.isPending || restore.isPending || duplicate.isPending;

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.pathKey() });

  const act = async (title: string, call: () => Promise<void>) => {
    setFailure(null);
    setNotice(null);
    try {
      await call();
    } catch (e) {
      setFailure({ title, error: e });
    }
  };

  const runNow = (pipelineId: string, name: string) =>
    act(`Could not start a run of “${name}”`, async () => {
      const r = await refusable(() => start.mutateAsync({ pipelineId }));
      if (r.ok) router.push(`/runs/${r.runId}`);
      else throw new Error(r.errors.map((e) => `${e.nodeId ?? "pipeline"}: ${e.message}`).join("; "));
    });

  const deleteOne = (id: string, name: string) =>
    act(`Could not delete “${name}”`, async () => {
      await remove.mutateAsync({ id });
      await refresh();
      setNotice({ text: `Deleted “${name}”.`, undo: { id, name } });
    });

  const restoreOne = (id: string, name: string) =>
    act(`Could not restore “${name}”`, async () => {
      await restore.mutateAsync({ id });
      await refresh();
      setNotice({ text: `Restored “${name}”.` });
    });

  const duplicateOne = (id: string, name: string) =>
    act(`Could not duplicate “${name}”`, async () => {
      const copy = await duplicate.mutateAsync({ id });
      await refresh();
      const dropped = copy.droppedTriggers ? ` Its ${copy.droppedTriggers === 1 ? "trigger was" : `${copy.droppedTriggers} triggers were`} not copied.` : "";
      setNotice({ text: `Created “${copy.name}” from “${name}” v${copy.from.version}.${dropped}` });
    });

  const filtering = q !== "";
  return (
    <PageContainer>
      <PageHeader
        title={showDeleted ? "Deleted pipelines" : "Pipelines"}
        subtitle={
          showDeleted
            ? "Deleted pipelines keep their versions, runs and models; restore one to list it again and let its triggers act."
            : "Draw a pipeline, run it as a durable workflow, ship the model it trains."
        }
        actions={
          showDeleted ? null : (
            <Link href="/pipelines/new" className={buttonClass("primary")}>
              <PlusIcon />
              New pipeline
            </Link>
          )
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-2">
        <input
          type="search"
          aria-label="Search pipelines"
          placeholder="Search by name"
          value={text}
          onChange={(e) => setText(e.target.value)}
          className={`${FIELD} w-64`}
        />
        {showDeleted ? null : (
          <label className="flex items-center gap-1.5 text-[12px] text-slate-500">
            Sort
            <select aria-label="Sort pipelines" value={sort} onChange={(e) => setSort(e.target.value as Sort)} className={FIELD}>
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="flex-1" />
        <Button variant="ghost" size="sm" aria-pressed={showDeleted} onClick={() => setShowDeleted((v) => !v)}>
          {showDeleted ? "Back to pipelines" : "Show deleted"}
        </Button>
      </div>
      {failure ? (
        <div className="mb-4" data-testid="pipeline-action-error">
          <div className="mb-1 text-[13px] font-medium text-slate-800">{failure.title}</div>
          <ActionError error={failure.error} />
        </div>
      ) : null}
      {notice ? (
        <div
          role="status"
          data-testid="pipeline-notice"
          className="mb-4 flex items-center justify-between gap-4 rounded-md border border-slate-200 bg-slate-50 px-3.5 py-2 text-[13px] text-slate-700"
        >
          <span>{notice.text}</span>
          <span className="flex items-center gap-2">
            {notice.undo ? (
              <Button size="sm" variant="secondary" disabled={busy} onClick={() => void restoreOne(notice.undo!.id, notice.undo!.name)}>
                Undo
              </Button>
            ) : null}
            <Button size="sm" variant="ghost" aria-label="Dismiss" onClick={() => setNotice(null)}>
              ×
            </Button>
          </span>
        </div>
      ) : null}
      {pipelines.isPending ? (
        <Loading />
      ) : pipelines.isError ? (
        <ErrorNote error={pipelines.error} title="Could not load pipelines" />
      ) : pipelines.data.length === 0 ? (
        filtering ? (
          <EmptyState title={`No ${showDeleted ? "deleted " : ""}pipeline name contains “${q}”`}>Try another part of the name.</EmptyState>
        ) : showDeleted ? (
          <EmptyState title="No deleted pipelines">A pipeline you delete is listed here until you restore it.</EmptyState>
        ) : (
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
        )
      ) : (
        <Card>
          <ul className="divide-y divide-slate-100">
            {pipelines.data.map((p) => {
              const run = p.lastRun;
              return (
                <li key={p.id} className="group flex items-center gap-5 px-5 py-4 hover:bg-slate-50/60" data-testid={`pipeline-${p.id}`}>
                  <div className="min-w-0 flex-1">
                    <div className="flex items-center gap-2">
                      {showDeleted ? (
                        <span className="truncate text-[15px] font-semibold text-slate-500">{p.name}</span>
                      ) : (
                        <Link href={`/pipelines/${p.id}`} className="truncate text-[15px] font-semibold text-slate-900 hover:text-indigo-700">
                          {p.name}
                        </Link>
                      )}
                      {p.isTemplate ? <Tag tone="indigo">sample</Tag> : null}
                      <span className="text-xs text-slate-400">v{p.latestVersion}</span>
                    </div>
                    {p.description ? <p className="mt-0.5 line-clamp-2 text-sm text-slate-500">{p.description}</p> : null}
                  </div>
                  <div className="w-40 shrink-0 text-right text-xs text-slate-500" data-testid="last-run">
                    {run ? (
                      <Link
                        href={`/runs/${run.id}`}
                        className="inline-flex items-center gap-2 hover:text-slate-800"
                        title={`last run ${formatDateTime(run.createdAt)}`}
                      >
                        <StatusBadge status={run.status} />
                        {formatRelative(run.createdAt)}
                      </Link>
                    ) : (
                      <span className="text-slate-400">never run</span>
                    )}
                  </div>
                  <div className="w-28 shrink-0 whitespace-nowrap text-right text-xs text-slate-400 max-[1100px]:hidden">
                    {p.deletedAt ? `deleted ${formatRelative(p.deletedAt)}` : `updated ${formatRelative(p.updatedAt)}`}
                  </div>
                  <div className="flex shrink-0 items-center gap-1.5">
                    {showDeleted ? (
                      <Button size="sm" variant="secondary" disabled={busy} onClick={() => void restoreOne(p.id, p.name)}>
                        Restore
                      </Button>
                    ) : (
                      <>
                        <Link href={`/pipelines/${p.id}`} className={buttonClass("secondary", "sm")}>
                          Open
                        </Link>
                        <Button size="sm" variant="secondary" aria-label={`Run ${p.name}`} disabled={busy} onClick={() => void runNow(p.id, p.name)}>
                          <RunIcon width={12} height={12} />
                          Run
                        </Button>
                        <Button size="sm" variant="ghost" aria-label={`Duplicate ${p.name}`} disabled={busy} onClick={() => void duplicateOne(p.id, p.name)}>
                          Duplicate
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={`Delete ${p.name}`}
                          title="Delete (you can undo it)"
                          disabled={busy}
                          onClick={() => void deleteOne(p.id, p.name)}
                          className="hover:!text-rose-600"
                        >
                          <TrashIcon width={13} height={13} />
                        </Button>
                      </>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        </Card>
      )}
      {showDeleted ? null : <HowItWorks />}
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
