"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { formatDateTime, formatRelative } from "../ui/format";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { Tag } from "../ui/status-badge";

type Sort = "name" | "updated" | "created";

const SORTS: Array<{ value: Sort; label: string }> = [
  { value: "name", label: "Name" },
  { value: "updated", label: "Newest version" },
  { value: "created", label: "Newest model" },
];

export function ModelList() {
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<Sort>("name");
  // Ask the server once typing pauses.
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  const models = useQuery({ ...trpc.models.list.queryOptions({ ...(q ? { q } : {}), sort }), placeholderData: keepPreviousData });
  const filtering = q !== "";
  return (
    <PageContainer>
      <PageHeader
        title="Models"
        subtitle="The registry: named models, immutable versions, and the aliases that serving follows."
        actions={
          <>
            <input
              type="search"
              aria-label="Search models"
              placeholder="Search by name"
              value={text}
              onChange={(e) => setText(e.target.value)}
              className="h-8 w-56 rounded-md border border-slate-200 bg-white px-2.5 text-[13px] focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100"
            />
            <label className="flex items-center gap-1.5 text-[12px] text-slate-500">
              Sort
              <select
                aria-label="Sort models"
                value={sort}
                onChange={(e) => setSort(e.target.value as Sort)}
                className="h-8 rounded-md border border-slate-200 bg-white px-2 text-[13px] text-slate-700 focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100"
              >
                {SORTS.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </select>
            </label>
          </>
        }
      />
      {models.isPending ? (
        <Loading />
      ) : models.isError ? (
        <ErrorNote error={models.error} title="Could not load models" />
      ) : models.data.length === 0 ? (
        filtering ? (
          <EmptyState title={`No model name contains “${q}”`}>Try another part of the name.</EmptyState>
        ) : (
          <EmptyState title="No models registered yet">A pipeline with a Deploy endpoint node registers a model version when its gate passes.</EmptyState>
        )
      ) : (
        <Card>
          <Table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Latest version</th>
                <th>Aliases</th>
                <th>Deployments</th>
                <th className="text-right">Created</th>
              </tr>
            </thead>
            <tbody>
              {models.data.map((m) => (
                <tr key={m.name} className="hover:bg-slate-50/60" data-testid="model-row">
                  <td className="max-w-[260px]">
                    <Link
                      href={`/models/${encodeURIComponent(m.name)}`}
                      className="block truncate font-medium text-slate-800 hover:text-indigo-700"
                      title={m.name}
                    >
                      {m.name}
                    </Link>
                  </td>
                  <td className="whitespace-nowrap">
                    {m.latestVersion ? (
                      <>
                        <Link
                          href={`/models/${encodeURIComponent(m.name)}/versions/${m.latestVersion}`}
                          className="font-mono text-xs text-indigo-600 hover:underline"
                        >
                          v{m.latestVersion}
                        </Link>
                        <span className="ml-1.5 text-[11.5px] text-slate-400" title={formatDateTime(m.latestAt)}>
                          {formatRelative(m.latestAt)}
                        </span>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    <span className="flex flex-wrap gap-1">
                      {Object.entries(m.aliases).map(([a, v]) => (
                        <Tag key={a} tone="indigo">
                          {a} v{v}
                        </Tag>
                      ))}
                    </span>
                  </td>
                  <td>
                    {m.deployments.length ? (
                      <span className="flex flex-wrap gap-x-2 gap-y-0.5">
                        {m.deployments.map((d) => (
                          <Link key={d} href={`/deployments/${encodeURIComponent(d)}`} className="font-mono text-xs text-indigo-600 hover:underline">
                            {d}
                          </Link>
                        ))}
                      </span>
                    ) : (
                      <span className="text-xs text-slate-400">not deployed</span>
                    )}
                  </td>
                  <td className="whitespace-nowrap text-right text-slate-500" title={formatDateTime(m.createdAt)}>
                    {formatRelative(m.createdAt)}
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
