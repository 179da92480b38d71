"use client";
import Link from "next/link";
import { RunLink } from "../ui/run-link";
import { useQuery } from "@tanstack/react-query";
import { directionOf } from "../approvals/metrics";
import { describeRollout } from "../deployments/history";
import { RoutesBar } from "../deployments/routes-bar";
import { useTRPC } from "../trpc/trpc";
import { Actor } from "../ui/actor";
import { formatDateTime, formatNumber, formatRelative, shortSha } from "../ui/format";
import { Card, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { Tag } from "../ui/status-badge";
import { AliasMoves } from "./alias-moves";
import { DeleteModel } from "./delete-model";

export function ModelDetail({ name }: { name: string }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.models.get.queryOptions({ name }), refetchInterval: 10_000 });
  const deployments = useQuery({ ...trpc.deployments.list.queryOptions({ model: name }), refetchInterval: 5_000 });
  if (q.isPending) return <Loading />;
  if (q.isError)
    return (
      <PageContainer>
        <ErrorNote error={q.error} title={`Could not load model ${name}`} />
      </PageContainer>
    );
  const m = q.data;
  const metricKeys = [...new Set(m.versions.flatMap((v) => Object.keys(v.metrics ?? {})))];
  const aliasesOf = (version: number) =>
    Object.entries(m.aliases)
      .filter(([, v]) => v === version)
      .map(([a]) => a);
  const best = new Map<string, number>();
  for (const k of metricKeys) {
    const vals = m.versions.map((v) => (v.metrics as Record<string, number> | null)?.[k]).filter((x): x is number => typeof x === "number");
    if (vals.length > 1) best.set(k, directionOf(k) === "lower" ? Math.min(...vals) : Math.max(...vals));
  }
  return (
    <PageContainer>
      <PageHeader
        eyebrow={
          <Link href="/models" className="hover:text-slate-800">
            Models
          </Link>
        }
        title={
          <span className="flex items-center gap-2.5">
            <span className="truncate">{m.name}</span>
            {Object.entries(m.aliases).map(([alias, v]) => (
              <span
                key={alias}
                data-testid={`alias-${alias}`}
                className="inline-flex shrink-0 items-center gap-1.5 rounded-full bg-indigo-50 px-2.5 py-0.5 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200"
              >
                {alias} → v{v}
              </span>
            ))}
          </span>
        }
        subtitle={
          <span className="font-mono text-xs">
            POST /v2/models/{m.name}/infer · {m.versions.length} version{m.versions.length === 1 ? "" : "s"}
          </span>
        }
        actions={
          <>
            <AliasMoves model={m} deployments={deployments.data ?? []} />
            <DeleteModel name={m.name} versions={m.versions.length} />
          </>
        }
      />
      {deployments.data?.length ? (
        <Card title="Serving" className="mb-5">
          <Table>
            <thead>
              <tr>
                <th>Endpoint</th>
                <th className="w-[40%]">Routes</th>
                <th>Rollout</th>
                <th className="whitespace-nowrap text-right">Last change</th>
              </tr>
            </thead>
            <tbody>
              {deployments.data.map((d) => (
                <tr key={d.name} className="hover:bg-slate-50/60" data-testid={`serving-${d.name}`}>
                  <td>
                    <Link href={`/deployments/${encodeURIComponent(d.name)}`} className="font-medium text-indigo-600 hover:underline">
                      {d.name}
                    </Link>
                    <div className="whitespace-nowrap text-[11px] text-slate-400">follows {d.alias}</div>
                  </td>
                  <td>
                    <RoutesBar routes={d.routes} alias={d.alias} />
                  </td>
                  <td className="whitespace-nowrap">
                    {d.rollout ? (
                      <Tag tone="amber">{describeRollout(d.rollout, d.routes)}</Tag>
                    ) : (
                      <span className="text-[12px] text-slate-400">{d.status === "active" ? "stable" : d.status}</span>
                    )}
                  </td>
                  <td className="whitespace-nowrap text-right text-slate-500">{formatRelative(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      ) : null}
      <Card title="Versions" className="mb-5">
        <Table>
          <thead>
            <tr>
              <th>Version</th>
              <th>Aliases</th>
              {metricKeys.map((k) => (
                <th key={k} className="text-right font-mono">
                  {k}
                </th>
              ))}
              <th>Run</th>
              <th>sha256</th>
              <th className="text-right">Registered</th>
            </tr>
          </thead>
          <tbody>
            {m.versions.map((v) => (
              <tr key={v.version} className="hover:bg-slate-50/60">
                <td>
                  <Link href={`/models/${encodeURIComponent(m.name)}/versions/${v.version}`} className="font-mono font-medium text-indigo-600 hover:underline">
                    v{v.version}
                  </Link>
                </td>
                <td>
                  <span className="flex gap-1">
                    {aliasesOf(v.version).map((a) => (
                      <Tag key={a} tone="indigo">
                        {a}
                      </Tag>
                    ))}
                  </span>
                </td>
                {metricKeys.map((k) => {
                  const val = (v.metrics as Record<string, number> | null)?.[k];
                  return (
                    <td
                      key={k}
                      className={`text-right font-mono text-xs ${val !== undefined && best.get(k) === val ? "font-semibold text-emerald-700" : "text-slate-700"}`}
                    >
                      {formatNumber(val)}
                    </td>
                  );
                })}
                <td>
                  <RunLink runId={v.runId} />
                </td>
                <td className="font-mono text-xs text-slate-500" title={v.sha256}>
                  {shortSha(v.sha256)}
                </td>
                <td className="text-right text-slate-500">{formatRelative(v.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      <Card title="Alias history">
        {m.events.length === 0 ? (
          <div className="px-4 py-6 text-sm text-slate-500">No alias has moved yet.</div>
        ) : (
          <Table>
            <thead>
              <tr>
                <th>When</th>
                <th>Alias</th>
                <th>Move</th>
                <th>Who</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {m.events.map((e, i) => (
                <tr key={i} className="align-top" data-testid="alias-event">
                  <td className="whitespace-nowrap text-slate-500" title={formatDateTime(e.createdAt)}>
                    {formatRelative(e.createdAt)}
                  </td>
                  <td>
                    <Tag tone="indigo">{e.alias}</Tag>
                  </td>
                  <td className="whitespace-nowrap font-mono text-xs">
                    {e.fromVersion !== null ? `v${e.fromVersion}` : "∅"} →{" "}
                    {e.toVersion !== null ? `v${e.toVersion}` : <span className="font-sans text-rose-700">removed</span>}
                  </td>
                  <td className="whitespace-nowrap">
                    <Actor actor={e.actor} pipelineName={e.pipelineName} runId={e.runId} />
                  </td>
                  <td className="min-w-[240px] [overflow-wrap:anywhere] text-[12.5px] text-slate-600" data-testid="alias-event-reason">
                    {e.reason}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </PageContainer>
  );
}
