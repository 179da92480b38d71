"use client";
/**
 * /deployments/{name}: an endpoint's routes (with the version each alias
 * route points at), the rollout in progress, live figures per version
 * (refreshed every few seconds), every change with who made it and why, and
 * Promote / Roll back with a required reason.
 */
import Link from "next/link";
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../trpc/trpc";
import { Actor } from "../ui/actor";
import { Button, buttonClass } from "../ui/button";
import { formatDateTime, formatNumber, formatPercent, formatRelative } from "../ui/format";
import { CheckIcon, PromoteIcon, UndoIcon } from "../ui/icons";
import { Card, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { ReasonDialog, SelectField } from "../ui/reason-dialog";
import { Tag } from "../ui/status-badge";
import { deploymentTimeline, describeRollout, describeRoutes, kindLabel, rollbackTarget } from "./history";
import { RoutesBar } from "./routes-bar";
import { byMetricReadingOrder } from "../../contract/monitoring";

type Deployment = RouterOutputs["deployments"]["get"];
type Model = RouterOutputs["models"]["get"];

export function DeploymentDetail({ name }: { name: string }) {
  const trpc = useTRPC();
  const dep = useQuery({ ...trpc.deployments.get.queryOptions({ name }), refetchInterval: 3_000 });
  const model = useQuery({ ...trpc.models.get.queryOptions({ name: dep.data?.model ?? "" }), enabled: !!dep.data, refetchInterval: 5_000 });
  const timeline = useMemo(() => (dep.data ? deploymentTimeline(dep.data.history, model.data?.events ?? [], dep.data.alias) : []), [dep.data, model.data]);
  if (dep.isPending) return <Loading />;
  if (dep.isError)
    return (
      <PageContainer>
        <ErrorNote error={dep.error} title={`Could not load deployment ${name}`} />
      </PageContainer>
    );
  const d = dep.data;
  const current = d.routes.find((r) => r.alias === d.alias)?.version ?? null;
  return (
    <PageContainer>
      <PageHeader
        eyebrow={
          <Link href="/deployments" className="hover:text-slate-800">
            Deployments
          </Link>
        }
        title={
          <span className="flex items-center gap-2.5">
            {d.name}
            {d.rollout ? <Tag tone="amber">{describeRollout(d.rollout, d.routes)}</Tag> : null}
            {d.status !== "active" ? <Tag>{d.status}</Tag> : null}
          </span>
        }
        subtitle={
          <span>
            model{" "}
            <Link href={`/models/${encodeURIComponent(d.model)}`} className="font-medium text-indigo-600 hover:underline">
              {d.model}
            </Link>{" "}
            · follows <span className="font-medium text-slate-700">{d.alias}</span>
            {current !== null ? <> → v{current}</> : null} · <span className="whitespace-nowrap font-mono text-xs">POST /v2/models/{d.name}/infer</span>
          </span>
        }
        actions={
          <div className="flex items-start gap-2">
            <Link href={`/deployments/${encodeURIComponent(d.name)}/monitoring`} className={buttonClass("secondary")}>
              Monitoring
            </Link>
            <Moves d={d} model={model.data} current={current} />
          </div>
        }
      />
      <div className="mb-5 grid gap-5 xl:grid-cols-2">
        <RoutesCard d={d} />
        <RolloutCard d={d} current={current} />
      </div>
      <FiguresCard d={d} />
      <QualityCard d={d} />
      <Card title="History" className="mt-5">
        {timeline.length === 0 ? (
          <div className="px-4 py-6 text-sm text-slate-500">Nothing has changed yet.</div>
        ) : (
          <Table>
            <thead>
              <tr>
                <th>What, when</th>
                <th>Routes</th>
                <th>Who</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {timeline.map((e, i) => (
                <tr key={i} className="align-top" data-testid="history-entry" data-kind={e.kind}>
                  <td className="whitespace-nowrap">
                    <Tag tone={e.kind === "rolled-back" ? "amber" : e.kind === "promoted" ? "emerald" : e.kind.startsWith("alias") ? "indigo" : "slate"}>
                      {kindLabel(e.kind)}
                    </Tag>
                    <div className="mt-0.5 text-[12px] text-slate-500" title={formatDateTime(e.at)}>
                      {formatRelative(e.at)}
                    </div>
                  </td>
                  <td className="font-mono text-[11.5px] text-slate-700">
                    {e.toRoutes ? (
                      <>
                        <div className="whitespace-nowrap text-slate-400">{e.fromRoutes ? describeRoutes(e.fromRoutes) : "—"}</div>
                        <div className="whitespace-nowrap">→ {describeRoutes(e.toRoutes)}</div>
                      </>
                    ) : null}
                    {e.aliasMove ? (
                      <div className="whitespace-nowrap text-indigo-700">
                        {e.aliasMove.alias}: {e.aliasMove.from !== null ? `v${e.aliasMove.from}` : "∅"} →{" "}
                        {e.aliasMove.to !== null ? `v${e.aliasMove.to}` : "removed"}
                      </div>
                    ) : null}
                  </td>
                  <td className="whitespace-nowrap">
                    <Actor actor={e.actor} pipelineName={e.pipelineName} runId={e.runId} />
                  </td>
                  <td className="min-w-[200px] [overflow-wrap:anywhere] text-[12.5px] text-slate-600">{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </PageContainer>
  );
}

function RoutesCard({ d }: { d: Deployment }) {
  return (
    <Card title="Routes">
      <div className="px-4 pt-3.5 pb-1">
        <RoutesBar routes={d.routes} alias={d.alias} size="lg" />
      </div>
      <Table>
        <thead>
          <tr>
            <th>Version</th>
            <th>Follows</th>
            <th>Mode</th>
            <th className="text-right">Live traffic</th>
          </tr>
        </thead>
        <tbody>
          {d.routes.map((r, i) => (
            <tr key={i} data-testid="route">
              <td>
                {r.version !== null ? (
                  <Link href={`/models/${encodeURIComponent(d.model)}/versions/${r.version}`} className="font-mono font-medium text-indigo-600 hover:underline">
                    v{r.version}
                  </Link>
                ) : (
                  <span className="text-rose-700">alias {r.alias} points nowhere</span>
                )}
              </td>
              <td>{r.alias ? <Tag tone="indigo">{r.alias}</Tag> : <span className="text-[12px] text-slate-400">this version</span>}</td>
              <td className="text-slate-600">{r.mode === "shadow" ? "shadow (never answers)" : "live"}</td>
              <td className="text-right font-mono text-xs">{r.mode === "shadow" ? "copy of all" : `${r.weight}%`}</td>
            </tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}

function RolloutCard({ d, current }: { d: Deployment; current: number | null }) {
  const r = d.rollout;
  if (!r) {
    return (
      <Card title="Rollout">
        <div className="px-4 py-4 text-[13px] text-slate-600">
          <div className="flex items-center gap-2 font-medium text-slate-800">
            <CheckIcon className="text-emerald-600" /> Stable
          </div>
          <p className="mt-1">
            Every request goes to <span className="font-medium">{d.alias}</span>
            {current !== null ? <> (v{current})</> : null}. No rollout in progress; last change {formatRelative(d.updatedAt)}.
          </p>
        </div>
      </Card>
    );
  }
  const challengerWeight = d.routes.find((x) => x.version === r.challenger && x.alias === null && x.mode === "live")?.weight;
  return (
    <Card
      title={`Rollout: ${r.strategy === "ab" ? "A/B test" : r.strategy}`}
      actions={
        r.runId ? (
          <Link href={`/runs/${r.runId}`} className="font-mono text-[11.5px] text-indigo-600 hover:underline">
            run {r.runId.slice(0, 8)}
          </Link>
        ) : null
      }
    >
      <div className="space-y-3 px-4 py-3.5 text-[13px] text-slate-700" data-testid="rollout">
        <p>
          Challenger <span className="font-mono font-semibold">v{r.challenger}</span> against {d.alias}{" "}
          {current !== null ? <span className="font-mono font-semibold">v{current}</span> : null}, started {formatRelative(r.startedAt)}
          <span className="text-slate-400"> ({formatDateTime(r.startedAt)})</span>.
        </p>
        {r.strategy === "canary" && r.steps && r.step !== undefined ? (
          <div>
            <div className="mb-1.5 text-[12px] font-medium text-slate-500" data-testid="canary-step">
              Step {r.step + 1} of {r.steps.length}, since {formatRelative(r.stepStartedAt)}
            </div>
            <ol className="flex flex-wrap items-center gap-1.5">
              {r.steps.map((w, i) => (
                <li key={i} className="flex items-center gap-1.5">
                  <span
                    className={`rounded px-2 py-0.5 font-mono text-[12px] ring-1 ring-inset ${
                      i === r.step
                        ? "bg-amber-400 font-semibold text-amber-950 ring-amber-400"
                        : i < r.step!
                          ? "bg-amber-50 text-amber-700 ring-amber-200"
                          : "bg-white text-slate-400 ring-slate-200"
                    }`}
                  >
                    {w}%
                  </span>
                  {i < r.steps!.length - 1 ? <span className="text-slate-300">→</span> : null}
                </li>
              ))}
            </ol>
            <p className="mt-2 text-[12px] text-slate-500">
              v{r.challenger} gets {challengerWeight ?? r.steps[r.step]}% of live traffic; the rest stays on {d.alias}. The rollout moves on when each step
              stays healthy, and rolls back by itself when it breaks its rules.
            </p>
          </div>
        ) : r.strategy === "shadow" ? (
          <p className="text-[12.5px] text-slate-600">
            Shadow since {formatRelative(r.stepStartedAt)}: v{r.challenger} gets a copy of every request and never answers; {d.alias} answers all of them.
          </p>
        ) : (
          <p className="text-[12.5px] text-slate-600">
            A/B since {formatRelative(r.stepStartedAt)}: v{r.challenger} answers {challengerWeight ?? "?"}% of live traffic
            {d.sticky?.parameter ? (
              <>
                , each caller kept on one version by the request parameter <span className="font-mono">{d.sticky.parameter}</span>
              </>
            ) : d.sticky?.column ? (
              <>
                , each caller kept on one version by the input column <span className="font-mono">{d.sticky.column}</span>
              </>
            ) : null}
            .
          </p>
        )}
      </div>
    </Card>
  );
}

function FiguresCard({ d }: { d: Deployment }) {
  return (
    <Card
      title="Live figures"
      actions={
        <span className="text-[11.5px] text-slate-500" title={formatDateTime(d.figuresSince)}>
          {d.rollout ? `since this step began, ${formatRelative(d.figuresSince)}` : "the last 15 minutes"} · refreshed every 3 s
        </span>
      }
    >
      {d.figures.length === 0 ? (
        <div className="px-4 py-6 text-sm text-slate-500">No requests since {formatDateTime(d.figuresSince)}.</div>
      ) : (
        <Table>
          <thead>
            <tr>
              <th>Version</th>
              <th>Route</th>
              <th className="whitespace-nowrap text-right">Requests</th>
              <th className="whitespace-nowrap text-right">Errors</th>
              <th className="whitespace-nowrap text-right">p50</th>
              <th className="whitespace-nowrap text-right">p99</th>
              <th className="whitespace-nowrap text-right">Shadow agreement</th>
            </tr>
          </thead>
          <tbody>
            {d.figures.map((f) => (
              <tr key={`${f.version}-${f.mode}`} data-testid={`figures-v${f.version}-${f.mode}`}>
                <td className="font-mono font-medium">v{f.version}</td>
                <td>{f.mode === "shadow" ? <Tag tone="violet">shadow</Tag> : <Tag>live</Tag>}</td>
                <td className="whitespace-nowrap text-right font-mono text-xs" data-testid="requests">
                  {formatNumber(f.requests)}
                </td>
                <td className="whitespace-nowrap text-right font-mono text-xs" title={`${f.errors} of ${f.requests} answers had status 400 or more`}>
                  <span className={f.errors ? "text-rose-700" : "text-slate-700"}>{formatNumber(f.errors)}</span>
                  <span className={`ml-1.5 ${f.errorRate > 0.05 ? "font-semibold text-rose-700" : "text-slate-400"}`}>{formatPercent(f.errorRate)}</span>
                </td>
                <td className="whitespace-nowrap text-right font-mono text-xs">{f.p50Ms === null ? "—" : `${formatNumber(f.p50Ms, 3)} ms`}</td>
                <td className="whitespace-nowrap text-right font-mono text-xs">{f.p99Ms === null ? "—" : `${formatNumber(f.p99Ms, 3)} ms`}</td>
                <td className="whitespace-nowrap text-right font-mono text-xs" data-testid="agreement">
                  {f.mode !== "shadow" ? (
                    <span className="text-slate-300">—</span>
                  ) : f.agreement === null ? (
                    <span className="text-slate-400">nothing compared yet</span>
                  ) : (
                    <>
                      {formatPercent(f.agreement)}
                      <span className="ml-1.5 text-slate-400">of {formatNumber(f.compared)} rows</span>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

/** Each version's live quality in the newest monitor window: the same labelled requests for a shadow and its champion. */
function QualityCard({ d }: { d: Deployment }) {
  const q = d.quality;
  const metrics = [...new Set(q?.versions.flatMap((v) => Object.keys(v.metrics)) ?? [])].sort(byMetricReadingOrder);
  return (
    <Card
      title="Live quality"
      className="mt-5"
      actions={
        q ? (
          <span className="text-[11.5px] text-slate-500" title={`${formatDateTime(q.windowStart)} – ${formatDateTime(q.windowEnd)}`}>
            monitor window ending {formatRelative(q.windowEnd)} · ground truth sent as feedback
          </span>
        ) : null
      }
    >
      {!q || q.versions.length === 0 ? (
        <div className="px-4 py-6 text-sm text-slate-500" data-testid="quality-empty">
          No monitor window with predictions yet. The monitor computes one per interval (see Monitoring); quality needs ground truth sent with{" "}
          <span className="font-mono text-xs">POST /api/v1/deployments/{d.name}/feedback</span>.
        </div>
      ) : (
        <Table>
          <thead>
            <tr>
              <th>Version</th>
              <th>Route</th>
              <th className="whitespace-nowrap text-right">Predictions</th>
              <th className="whitespace-nowrap text-right">Labelled</th>
              {metrics.length === 0 ? (
                <th className="text-right">Quality</th>
              ) : (
                metrics.map((m) => (
                  <th key={m} className="whitespace-nowrap text-right">
                    {m}
                  </th>
                ))
              )}
            </tr>
          </thead>
          <tbody>
            {q.versions.map((v) => (
              <tr key={`${v.version}-${v.mode}`} data-testid={`quality-v${v.version}-${v.mode}`}>
                <td className="font-mono font-medium">v{v.version}</td>
                <td>{v.mode === "shadow" ? <Tag tone="violet">shadow</Tag> : <Tag>live</Tag>}</td>
                <td className="whitespace-nowrap text-right font-mono text-xs">{formatNumber(v.rows)}</td>
                <td className="whitespace-nowrap text-right font-mono text-xs" data-testid="labelled">
                  {formatNumber(v.labelled)}
                </td>
                {v.labelled === 0 ? (
                  <td colSpan={Math.max(1, metrics.length)} className="text-right text-xs text-slate-400">
                    no ground truth yet
                  </td>
                ) : (
                  metrics.map((m) => (
                    <td key={m} className="whitespace-nowrap text-right font-mono text-xs" data-testid={`metric-${m}`}>
                      {v.metrics[m] === undefined ? "—" : formatNumber(v.metrics[m], 4)}
                    </td>
                  ))
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

/** Promote and Roll back: during a rollout its challenger / its champion; when stable a chosen version / the previous one. */
function Moves({ d, model, current }: { d: Deployment; model: Model | undefined; current: number | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<"promote" | "rollback" | null>(null);
  const [version, setVersion] = useState("");
  const [outcome, setOutcome] = useState<string | null>(null);
  const onSuccess = (r: { outcome: string }) => {
    setOpen(null);
    setOutcome(r.outcome);
    void queryClient.invalidateQueries({ queryKey: trpc.deployments.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() });
  };
  const promote = useMutation(trpc.deployments.promote.mutationOptions({ onSuccess }));
  const rollback = useMutation(trpc.deployments.rollback.mutationOptions({ onSuccess }));
  const r = d.rollout;
  const previous = model ? rollbackTarget(model.events, d.alias, current ?? undefined) : null;
  const choices = (model?.versions ?? []).filter((v) => v.version !== current);
  const openDialog = (which: "promote" | "rollback") => {
    promote.reset();
    rollback.reset();
    setOutcome(null);
    setVersion(String(choices[0]?.version ?? ""));
    setOpen(which);
  };
  const rollbackBlocked = !r && previous === null;
  return (
    <div className="flex flex-col items-end gap-1.5">
      <div className="flex items-center gap-2">
        <Button
          onClick={() => openDialog("rollback")}
          disabled={rollbackBlocked}
          title={rollbackBlocked ? `${d.alias} has no earlier version to roll back to` : undefined}
        >
          <UndoIcon className="h-3.5 w-3.5" />
          {r ? `Roll back to v${current ?? "?"}` : "Roll back"}
        </Button>
        <Button variant="primary" onClick={() => openDialog("promote")} disabled={!r && choices.length === 0}>
          <PromoteIcon className="h-3.5 w-3.5" />
          {r ? `Promote v${r.challenger}` : "Promote…"}
        </Button>
      </div>
      {outcome ? (
        <div role="status" className="max-w-md text-right text-[12px] text-emerald-700" data-testid="move-outcome">
          {outcome}
        </div>
      ) : null}
      <ReasonDialog
        open={open === "promote"}
        onOpenChange={(o) => setOpen(o ? "promote" : null)}
        title={r ? `Promote v${r.challenger} now` : `Promote a version of ${d.model}`}
        description={
          r ? (
            <>
              v{r.challenger} becomes {d.alias} and answers every request; the {r.strategy} rollout ends and its run’s deploy step succeeds.
            </>
          ) : (
            <>
              Points {d.alias} (now {current !== null ? `v${current}` : "nothing"}) at the version you pick; {d.name} serves it within a second.
            </>
          )
        }
        confirmLabel={r ? `Promote v${r.challenger}` : `Promote v${version || "?"}`}
        disabled={!r && !version}
        pending={promote.isPending}
        error={promote.error}
        onConfirm={(reason) => promote.mutate({ name: d.name, reason, ...(r ? {} : { version: Number(version) }) })}
      >
        {r ? null : (
          <SelectField id="promote-version" label="Version" value={version} onChange={setVersion}>
            {choices.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} · registered {formatRelative(v.createdAt)}
                {Object.entries(v.metrics ?? {})
                  .slice(0, 2)
                  .map(([k, x]) => ` · ${k} ${formatNumber(x)}`)
                  .join("")}
              </option>
            ))}
          </SelectField>
        )}
      </ReasonDialog>
      <ReasonDialog
        open={open === "rollback"}
        onOpenChange={(o) => setOpen(o ? "rollback" : null)}
        title={r ? `Roll back to v${current ?? "?"}` : `Roll back ${d.alias} to v${previous ?? "?"}`}
        description={
          r ? (
            <>
              Ends the {r.strategy} rollout of v{r.challenger}: {d.alias} v{current ?? "?"} answers every request again; the rollout’s run records who rolled it
              back and why.
            </>
          ) : (
            <>
              Moves {d.alias} from v{current ?? "?"} back to v{previous ?? "?"}, the version it pointed at before its last move; {d.name} serves it within a
              second.
            </>
          )
        }
        confirmLabel="Roll back"
        danger
        pending={rollback.isPending}
        error={rollback.error}
        onConfirm={(reason) => rollback.mutate({ name: d.name, reason })}
      />
    </div>
  );
}
