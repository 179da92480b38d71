"use client";
/**
 * One dataset version before anything is built on it: its size, every
 * column's type and statistics (missing, distinct, min/max/mean for numbers,
 * the most frequent values for text) and its first rows.
 */
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { z } from "zod";
import type { ZColumnStats } from "../../contract/api/resources";
import { useTRPC } from "../trpc/trpc";
import { formatDateTime, formatNumber, formatRelative } from "../ui/format";
import { Card, ErrorNote, Loading, PageContainer, PageHeader } from "../ui/page";
import { Tag } from "../ui/status-badge";

type Stats = z.infer<typeof ZColumnStats>;

const KIND_LABEL: Record<Stats["kind"], string> = { number: "number", string: "text", other: "other" };

export function DatasetDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const ds = useQuery(trpc.datasets.get.queryOptions({ id }));
  if (ds.isPending)
    return (
      <PageContainer>
        <Loading />
      </PageContainer>
    );
  if (ds.isError)
    return (
      <PageContainer>
        <ErrorNote error={ds.error} title="Could not load the dataset" />
      </PageContainer>
    );
  const d = ds.data;
  const incomplete = d.stats.filter((c) => c.missing > 0).length;
  return (
    <PageContainer>
      <PageHeader
        eyebrow={
          <Link href="/datasets" className="hover:text-indigo-700">
            Datasets
          </Link>
        }
        title={
          <>
            {d.name} <span className="font-mono text-base font-normal text-slate-400">v{d.version}</span>
          </>
        }
        subtitle={
          <span data-testid="dataset-summary">
            {d.rows.toLocaleString("en-US")} rows · {d.columns.length} columns
            {incomplete ? ` · ${incomplete} with missing values` : " · no missing values"} · uploaded{" "}
            <span title={formatDateTime(d.createdAt)}>{formatRelative(d.createdAt)}</span>
          </span>
        }
        actions={
          <span className="text-right text-xs text-slate-500">
            Pipeline source
            <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11.5px] text-slate-700">
              dataset:{d.name}@{d.version}
            </span>
          </span>
        }
      />
      <Card title="Columns" className="mb-6">
        {/* Denser than the shell's Table: eight columns fit at 1024 px. */}
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-[13px] [&_td]:px-3 [&_td]:py-2.5 [&_th]:px-3 [&_th]:py-2 [&_th:not(.text-right)]:text-left [&_th]:text-xs [&_th]:font-medium [&_th]:text-slate-500 [&_thead]:border-b [&_thead]:border-slate-100 [&_tbody_tr]:border-t [&_tbody_tr]:border-slate-100 [&_tbody_tr:first-child]:border-t-0">
            <thead>
              <tr>
                <th>Column</th>
                <th>Type</th>
                <th className="text-right">Missing</th>
                <th className="text-right">Distinct</th>
                <th className="text-right">Min</th>
                <th className="text-right">Max</th>
                <th className="text-right">Mean</th>
                <th>Most frequent</th>
              </tr>
            </thead>
            <tbody>
              {d.stats.map((c) => (
                <tr key={c.name} data-testid="column-stats">
                  <td className="max-w-[200px] truncate font-mono text-xs font-medium text-slate-800" title={c.name}>
                    {c.name}
                  </td>
                  <td className="whitespace-nowrap">
                    <Tag tone={c.kind === "number" ? "indigo" : c.kind === "string" ? "violet" : "slate"} title={c.type}>
                      {KIND_LABEL[c.kind]}
                    </Tag>
                    <span className="ml-1.5 hidden font-mono text-[11px] text-slate-400 xl:inline">{c.type.toLowerCase()}</span>
                  </td>
                  <td className={`whitespace-nowrap text-right font-mono text-xs ${c.missing ? "text-amber-700" : "text-slate-400"}`}>
                    {c.missing.toLocaleString("en-US")}
                    {c.missing ? <span className="ml-1 text-slate-400">({percent(c.missing, d.rows)})</span> : null}
                  </td>
                  <td className="text-right font-mono text-xs">{c.distinct.toLocaleString("en-US")}</td>
                  <td className="whitespace-nowrap text-right font-mono text-xs">{value(c.min)}</td>
                  <td className="whitespace-nowrap text-right font-mono text-xs">{value(c.max)}</td>
                  <td className="whitespace-nowrap text-right font-mono text-xs">{c.mean === null ? "—" : formatNumber(c.mean)}</td>
                  <td className="max-w-[240px]">
                    {c.top.length ? (
                      <span className="flex flex-wrap gap-1">
                        {c.top.map((t) => (
                          <span
                            key={t.value}
                            className="max-w-[160px] truncate rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-700"
                            title={`${t.value}: ${t.count} rows`}
                          >
                            {t.value || "(empty)"} <span className="text-slate-400">×{t.count.toLocaleString("en-US")}</span>
                          </span>
                        ))}
                      </span>
                    ) : (
                      <span className="text-xs text-slate-400">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Card
        title={
          d.rows > d.preview.rows.length
            ? `First ${d.preview.rows.length} of ${d.rows.toLocaleString("en-US")} rows`
            : `All ${d.rows.toLocaleString("en-US")} rows`
        }
      >
        <div className="overflow-x-auto" data-testid="dataset-preview">
          <table className="w-full border-collapse font-mono text-[12px]">
            <thead>
              <tr className="border-b border-slate-100">
                {d.columns.map((c, j) => (
                  <th
                    key={c.name}
                    className={`whitespace-nowrap px-3 py-2 text-xs font-medium text-slate-500 ${d.stats[j]?.kind === "number" ? "text-right" : "text-left"}`}
                  >
                    {c.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {d.preview.rows.map((r, i) => (
                <tr key={i} className="border-t border-slate-100">
                  {r.map((v, j) => (
                    <td
                      key={j}
                      className={`max-w-[240px] truncate whitespace-nowrap px-3 py-1.5 ${d.stats[j]?.kind === "number" ? "text-right" : ""} ${v === null ? "text-slate-300" : "text-slate-700"}`}
                      title={v === null ? "missing" : String(v)}
                    >
                      {v === null ? "—" : typeof v === "number" ? formatNumber(v, 6) : String(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </PageContainer>
  );
}

const value = (v: number | string | null) => (v === null ? "—" : typeof v === "number" ? formatNumber(v) : v);
const percent = (n: number, of: number) => (of ? `${((n / of) * 100).toFixed(n / of < 0.01 ? 2 : 1)}%` : "");
