"use client";
/**
 * /approvals/{id}: what a person needs to approve or reject a challenger —
 * the instructions, its metrics beside the champion's (which is better per
 * metric, and whether they were measured on the same rows), what changed in
 * the pipeline since the champion's version, a preview of the challenger on a
 * held-out sample in the browser, and the decision with a comment.
 */
import Link from "next/link";
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ModelManifest } from "../../contract/model";
import { FieldChangesTable } from "../canvas/field-changes";
import type { FieldChange } from "../../workflows/spec/diff";
import { useTRPC, type RouterOutputs } from "../trpc/trpc";
import { ActionError } from "../ui/action-error";
import { Actor } from "../ui/actor";
import { Button, buttonClass } from "../ui/button";
import { formatDateTime, formatNumber, formatRelative, formatUntil, shortSha } from "../ui/format";
import { Card, ErrorNote, Loading, PageContainer, PageHeader } from "../ui/page";
import { RunLink } from "../ui/run-link";
import { Tag } from "../ui/status-badge";
import { ApprovalStatus } from "./approval-status";
import { compareMetrics } from "./metrics";
import { SamplePreview } from "./sample-preview";

type Approval = RouterOutputs["approvals"]["get"];

export function ApprovalDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.approvals.get.queryOptions({ id }),
    refetchInterval: (query) => (query.state.data?.status === "pending" ? 5_000 : false),
  });
  if (q.isPending) return <Loading />;
  if (q.isError)
    return (
      <PageContainer>
        <ErrorNote error={q.error} title="Could not load this approval" />
      </PageContainer>
    );
  const a = q.data;
  const manifest = a.model?.manifest as ModelManifest | undefined;
  return (
    <PageContainer>
      <PageHeader
        eyebrow={
          <Link href="/approvals" className="hover:text-slate-800">
            Approvals
          </Link>
        }
        title={
          <span className="flex items-center gap-2.5">
            {a.status === "pending" ? `Approve ${a.modelName}?` : `${a.modelName}: a challenger`}
            <ApprovalStatus status={a.status} />
          </span>
        }
        subtitle={
          <span>
            A challenger from{" "}
            <Link href={`/pipelines/${a.pipeline.id}`} className="font-medium text-indigo-600 hover:underline">
              {a.pipeline.name}
            </Link>{" "}
            v{a.pipeline.version} · run <RunLink runId={a.runId} className="font-mono text-xs text-indigo-600 hover:underline" /> · step{" "}
            <span className="font-mono text-xs">{a.nodeId}</span> · waiting since {formatRelative(a.createdAt)}
          </span>
        }
      />
      {/* Wide: evidence on the left, instructions and the decision beside it. Narrow: instructions, evidence, then the decision. */}
      <div className="grid gap-5 xl:grid-cols-[minmax(0,1fr)_320px] xl:grid-rows-[auto_1fr]">
        <Card title="Instructions" className="xl:col-start-2 xl:row-start-1">
          <p className="whitespace-pre-wrap px-4 py-3 text-[13px] text-slate-700" data-testid="instructions">
            {a.instructions || <span className="text-slate-400">The pipeline gave no instructions.</span>}
          </p>
        </Card>
        <div className="min-w-0 space-y-5 xl:col-start-1 xl:row-span-2 xl:row-start-1">
          <MetricsCard a={a} />
          <ChangesCard a={a} />
          {manifest ? (
            <SamplePreview modelUrl={a.modelUrl} manifest={manifest} evaluated={a.metrics} />
          ) : (
            <Card title="Preview on a held-out sample">
              <div className="px-4 py-6 text-sm text-slate-500">This approval carries no model file to preview.</div>
            </Card>
          )}
        </div>
        <div className="xl:col-start-2 xl:row-start-2">
          <div className="space-y-5 xl:sticky xl:top-4">
            <Decision a={a} />
            <Card title="Challenger">
              <dl className="space-y-1.5 px-4 py-3 text-[12.5px]">
                <Fact k="task">{a.task ?? manifest?.task ?? "—"}</Fact>
                <Fact k="target">
                  <span className="font-mono">{manifest?.target ?? "—"}</span>
                </Fact>
                <Fact k="inputs">{manifest ? `${manifest.inputs.length} columns` : "—"}</Fact>
                <Fact k="evaluated on">{a.rows !== null ? `${a.rows.toLocaleString("en-US")} rows` : "—"}</Fact>
                <Fact k="sha256">
                  <span className="font-mono" title={a.model?.sha256}>
                    {shortSha(a.model?.sha256)}
                  </span>
                </Fact>
                <Fact k="file">
                  <a href={a.modelUrl} className="text-indigo-600 hover:underline" download>
                    model.onnx
                  </a>
                </Fact>
              </dl>
            </Card>
          </div>
        </div>
      </div>
    </PageContainer>
  );
}

function Fact({ k, children }: { k: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[96px_1fr] gap-2">
      <dt className="text-slate-500">{k}</dt>
      <dd className="min-w-0 truncate text-slate-800">{children}</dd>
    </div>
  );
}

function Decision({ a }: { a: Approval }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState("");
  const decide = useMutation(
    trpc.approvals.decide.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
      },
      onError: () => {
        // Someone else may have decided meanwhile: show what the approval is now.
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
      },
    }),
  );
  if (a.status !== "pending") {
    return (
      <Card title="Decision">
        <div className="space-y-2 px-4 py-3 text-[13px] text-slate-700" data-testid="decision">
          {a.status === "expired" ? (
            <p>Expired {formatDateTime(a.decidedAt ?? a.expiresAt)}: nobody decided before the deadline, so the run was blocked.</p>
          ) : (
            <p>
              <span className={a.status === "approved" ? "font-semibold text-emerald-700" : "font-semibold text-rose-700"}>
                {a.status === "approved" ? "Approved" : "Rejected"}
              </span>{" "}
              by {a.decidedBy ? <Actor actor={a.decidedBy} /> : "someone"}{" "}
              <span className="text-slate-500" title={formatDateTime(a.decidedAt)}>
                {formatRelative(a.decidedAt)} ({formatDateTime(a.decidedAt)})
              </span>
            </p>
          )}
          {a.comment ? (
            <blockquote className="border-l-2 border-slate-200 pl-2.5 text-[12.5px] text-slate-600" data-testid="decision-comment">
              {a.comment}
            </blockquote>
          ) : null}
          <Link href={`/runs/${a.runId}`} className="inline-block text-[12.5px] font-medium text-indigo-600 hover:underline">
            See the run →
          </Link>
        </div>
      </Card>
    );
  }
  const send = (decision: "approve" | "reject") => decide.mutate({ id: a.id, decision, comment: comment.trim() });
  return (
    <Card
      title="Decision"
      actions={
        <span className="text-[11.5px] text-amber-700" title={formatDateTime(a.expiresAt)}>
          expires {formatUntil(a.expiresAt)}
        </span>
      }
    >
      <div className="space-y-2.5 px-4 py-3" data-testid="decision">
        <p className="text-[12.5px] text-slate-600">
          Approving lets run <span className="font-mono">{a.runId.slice(0, 8)}</span> deploy {a.modelName}; rejecting blocks it. The first decision wins.
        </p>
        <div>
          <label htmlFor="decision-comment" className="mb-1 block text-[12px] font-medium text-slate-700">
            Comment
          </label>
          <textarea
            id="decision-comment"
            rows={3}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            placeholder="What you checked, or why not"
            className="w-full resize-y rounded-md border border-slate-200 px-2.5 py-1.5 text-[13px] focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100"
          />
        </div>
        <div className="flex gap-2">
          <Button variant="primary" className="flex-1" disabled={decide.isPending} onClick={() => send("approve")}>
            {decide.isPending && decide.variables?.decision === "approve" ? "Approving…" : "Approve"}
          </Button>
          <Button variant="danger" className="flex-1" disabled={decide.isPending} onClick={() => send("reject")}>
            {decide.isPending && decide.variables?.decision === "reject" ? "Rejecting…" : "Reject"}
          </Button>
        </div>
        <ActionError error={decide.error} />
      </div>
    </Card>
  );
}

function MetricsCard({ a }: { a: Approval }) {
  const rows = useMemo(() => compareMetrics(a.metrics, a.champion?.metrics ?? null), [a.metrics, a.champion]);
  const c = a.champion;
  return (
    <Card title="Metrics">
      <table className="w-full border-collapse text-[13px]" data-testid="metrics">
        <thead className="border-b border-slate-100 text-left text-xs text-slate-500">
          <tr>
            <th className="px-4 py-2 font-medium">Metric</th>
            <th className="px-4 py-2 text-right font-medium">Challenger</th>
            <th className="px-4 py-2 text-right font-medium">
              {c ? (
                <Link href={`/models/${encodeURIComponent(a.modelName)}/versions/${c.version}`} className="hover:text-indigo-700">
                  Champion v{c.version}
                </Link>
              ) : (
                "Champion"
              )}
            </th>
            <th className="px-4 py-2 text-right font-medium">Difference</th>
            <th className="px-4 py-2 font-medium">Better</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className="border-t border-slate-100 first:border-t-0" data-testid={`metric-${r.key}`} data-better={r.better ?? ""}>
              <td className="px-4 py-2 font-mono text-xs text-slate-600">
                {r.key}
                {r.direction ? (
                  <span className="ml-1.5 font-sans text-[10.5px] text-slate-400">{r.direction === "higher" ? "↑ higher is better" : "↓ lower is better"}</span>
                ) : null}
              </td>
              <td
                className={`px-4 py-2 text-right font-mono text-xs ${r.better === "challenger" ? "font-semibold text-emerald-700" : "text-slate-800"}`}
                data-testid="challenger-value"
              >
                {formatNumber(r.challenger)}
              </td>
              <td
                className={`px-4 py-2 text-right font-mono text-xs ${r.better === "champion" ? "font-semibold text-emerald-700" : "text-slate-800"}`}
                data-testid="champion-value"
              >
                {formatNumber(r.champion)}
              </td>
              <td className="px-4 py-2 text-right font-mono text-xs text-slate-500">
                {r.challenger !== null && r.champion !== null
                  ? `${r.challenger - r.champion >= 0 ? "+" : "−"}${formatNumber(Math.abs(r.challenger - r.champion))}`
                  : "—"}
              </td>
              <td className="px-4 py-2 text-xs">
                {r.better === "challenger" ? (
                  <span className="font-medium text-emerald-700">challenger ✓</span>
                ) : r.better === "champion" ? (
                  <span className="font-medium text-amber-700">champion</span>
                ) : r.better === "tie" ? (
                  <span className="text-slate-500">equal</span>
                ) : (
                  <span className="text-slate-300">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="border-t border-slate-100 px-4 py-2.5 text-[12px] text-slate-500" data-testid="metrics-note">
        {!c ? (
          <>No champion yet: approving makes this the first {a.modelName} champion.</>
        ) : c.sameRows ? (
          <>
            Both scored on the same {a.rows !== null ? `${a.rows.toLocaleString("en-US")} ` : ""}rows by this run’s evaluate step: a like-for-like comparison.
          </>
        ) : (
          <span className="text-amber-700">
            The champion’s figures are its registered metrics (measured on its own test rows when it was trained), not these rows: compare with care.
          </span>
        )}
      </p>
    </Card>
  );
}

function ChangesCard({ a }: { a: Approval }) {
  const champ = a.championPipeline;
  const diff = a.diff;
  const samePipeline = champ?.id === a.pipeline.id;
  // The API's JSON leaves a field's absent side out: undefined is "—" in the table.
  const fields = (fs: Array<{ field: string; before?: unknown; after?: unknown }>): FieldChange[] =>
    fs.map((f) => ({ field: f.field, before: f.before, after: f.after }));
  const changed =
    diff?.nodes.changed.map((c) => ({ id: c.id, fields: fields(c.fields.filter((f) => !f.field.startsWith("position"))) })).filter((c) => c.fields.length) ??
    [];
  const layoutMoved = diff?.nodes.changed.some((c) => c.fields.some((f) => f.field.startsWith("position"))) ?? false;
  const nothing =
    diff &&
    !diff.nodes.added.length &&
    !diff.nodes.removed.length &&
    !changed.length &&
    !diff.edges.added.length &&
    !diff.edges.removed.length &&
    !diff.pipeline.length;
  return (
    <Card
      title="Pipeline changes since the champion"
      actions={
        champ ? (
          samePipeline && champ.version !== a.pipeline.version ? (
            <Link href={`/pipelines/${a.pipeline.id}/compare?from=${champ.version}&to=${a.pipeline.version}`} className={buttonClass("secondary", "sm")}>
              Compare v{champ.version} → v{a.pipeline.version} on the canvas
            </Link>
          ) : !samePipeline ? (
            <span className="flex gap-3 text-[12px]">
              <Link href={`/pipelines/${champ.id}`} className="text-indigo-600 hover:underline">
                champion’s pipeline v{champ.version}
              </Link>
              <Link href={`/pipelines/${a.pipeline.id}`} className="text-indigo-600 hover:underline">
                this pipeline v{a.pipeline.version}
              </Link>
            </span>
          ) : null
        ) : null
      }
    >
      <div className="px-4 py-3 text-[13px] text-slate-700" data-testid="changes">
        {!a.champion ? (
          <p className="text-slate-500">No champion yet: nothing to compare with.</p>
        ) : !diff || !champ ? (
          <p className="text-slate-500">The pipeline version that made the champion is not available to compare with.</p>
        ) : (
          <>
            <p className="mb-2 text-[12.5px] text-slate-500">
              Champion v{a.champion.version} came from {samePipeline ? "this pipeline" : "another pipeline"} v{champ.version} (step{" "}
              <span className="font-mono">{champ.nodeId}</span>); this challenger from {a.pipeline.name} v{a.pipeline.version}.
            </p>
            {nothing ? (
              <p data-testid="no-changes">{layoutMoved ? "The same pipeline: only the layout moved." : "The same pipeline: nothing changed."}</p>
            ) : (
              <div className="space-y-3">
                {diff.nodes.added.length || diff.nodes.removed.length ? (
                  <div className="flex flex-wrap gap-1.5">
                    {diff.nodes.added.map((n) => (
                      <Tag key={`+${n}`} tone="emerald">
                        + {n}
                      </Tag>
                    ))}
                    {diff.nodes.removed.map((n) => (
                      <span
                        key={`-${n}`}
                        className="inline-flex items-center rounded bg-rose-50 px-1.5 py-0.5 text-[11px] font-medium text-rose-700 ring-1 ring-inset ring-rose-200"
                      >
                        − {n}
                      </span>
                    ))}
                  </div>
                ) : null}
                {changed.map((c) => (
                  <div key={c.id} data-testid={`diff-node-${c.id}`}>
                    <div className="text-[12px] font-semibold text-slate-800">
                      <span className="font-mono">{c.id}</span> changed
                    </div>
                    <FieldChangesTable changes={c.fields} />
                  </div>
                ))}
                {diff.pipeline.length ? (
                  <div>
                    <div className="text-[12px] font-semibold text-slate-800">Pipeline settings</div>
                    <FieldChangesTable changes={fields(diff.pipeline)} />
                  </div>
                ) : null}
                {diff.edges.added.length || diff.edges.removed.length ? (
                  <div className="font-mono text-[11.5px]">
                    {diff.edges.added.map((e) => (
                      <div key={`+${e}`} className="text-emerald-700">
                        + {e}
                      </div>
                    ))}
                    {diff.edges.removed.map((e) => (
                      <div key={`-${e}`} className="text-rose-700">
                        − {e}
                      </div>
                    ))}
                  </div>
                ) : null}
                {layoutMoved ? <p className="text-[12px] text-slate-400">The layout moved too.</p> : null}
              </div>
            )}
          </>
        )}
      </div>
    </Card>
  );
}
