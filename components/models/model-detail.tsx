"use client";
import Link from "next/link";
import { RunLink } from "../ui/run-link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { formatDateTime, formatNumber, formatRelative, shortSha } from "../ui/format";
import { Card, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { Tag } from "../ui/status-badge";

/** Lower is better for these; everything else higher is better (for the "best" mark). */
const LOWER_IS_BETTER = new Set(["mae", "rmse", "logloss"]);

export function ModelDetail({ name }: { name: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.models.get.queryOptions({ name }));
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
    if (vals.length > 1) best.set(k, LOWER_IS_BETTER.has(k) ? Math.min(...vals) : Math.max(...vals));
  }
  return (
    <PageContainer>
      <PageHeader
        eyebrow={
          <Link href="/models" className="hover:text-slate-800">
            Models
          </Link>
        }
        title={m.name}
        subtitle={
          <span className="font-mono text-xs">
            POST /v2/models/{m.name}/infer · {m.versions.length} version{m.versions.length === 1 ? "" : "s"}
          </span>
        }
        actions={Object.entries(m.aliases).map(([alias, v]) => (
          <span
            key={alias}
            className="inline-flex items-center gap-1.5 rounded-full bg-indigo-50 px-2.5 py-1 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200"
          >
            {alias} → v{v}
          </span>
        ))}
      />
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
                <th>Run</th>
              </tr>
            </thead>
            <tbody>
              {m.events.map((e, i) => (
                <tr key={i}>
                  <td className="whitespace-nowrap text-slate-500">{formatDateTime(e.createdAt)}</td>
                  <td>
                    <Tag tone="indigo">{e.alias}</Tag>
                  </td>
                  <td className="whitespace-nowrap font-mono text-xs">
                    {e.fromVersion ? `v${e.fromVersion}` : "∅"} → v{e.toVersion}
                  </td>
                  <td className="whitespace-nowrap text-slate-600">
                    <Actor actor={e.actor} />
                  </td>
                  <td className="text-[12.5px] text-slate-600">{e.reason}</td>
                  <td>
                    <RunLink runId={e.runId} />
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

/** "pipeline:<id>" links to the pipeline; people and other actors show as they are. */
function Actor({ actor }: { actor: string }) {
  const m = /^pipeline:([0-9a-f-]{36})$/.exec(actor);
  if (!m) return <>{actor}</>;
  return (
    <Link href={`/pipelines/${m[1]}`} className="text-indigo-600 hover:underline" title={actor}>
      pipeline {m[1]!.slice(0, 8)}
    </Link>
  );
}
