"use client";
/** /deployments: every serving endpoint, its routes (versions, weights, shadows), a rollout in progress, and its last change. */
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { formatDateTime, formatRelative } from "../ui/format";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { Tag } from "../ui/status-badge";
import { describeRollout } from "./history";
import { RoutesBar } from "./routes-bar";

export function DeploymentList() {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.deployments.list.queryOptions({}), refetchInterval: 5_000 });
  return (
    <PageContainer>
      <PageHeader title="Deployments" subtitle="Serving endpoints: which versions answer, with how much of the traffic, and the rollouts in progress." />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorNote error={list.error} title="Could not load deployments" />
      ) : list.data.length === 0 ? (
        <EmptyState title="No deployments yet">A pipeline with a Deploy endpoint node creates its endpoint when its gate passes.</EmptyState>
      ) : (
        <Card>
          <Table>
            <thead>
              <tr>
                <th>Endpoint</th>
                <th>Model</th>
                <th className="w-[28%]">Routes</th>
                <th>Rollout</th>
                <th className="whitespace-nowrap text-right">Last change</th>
                <th>
                  <span className="sr-only">Monitoring</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((d) => (
                <tr key={d.name} className="hover:bg-slate-50/60" data-testid={`deployment-${d.name}`}>
                  <td className="max-w-[220px]">
                    <Link
                      href={`/deployments/${encodeURIComponent(d.name)}`}
                      className="block truncate font-medium text-slate-800 hover:text-indigo-700"
                      title={d.name}
                    >
                      {d.name}
                    </Link>
                    <div className="truncate font-mono text-[11px] text-slate-400">/v2/models/{d.name}</div>
                  </td>
                  <td className="max-w-[180px]">
                    <Link href={`/models/${encodeURIComponent(d.model)}`} className="block truncate text-slate-700 hover:text-indigo-700" title={d.model}>
                      {d.model}
                    </Link>
                    <div className="whitespace-nowrap text-[11px] text-slate-400">follows {d.alias}</div>
                  </td>
                  <td>
                    <RoutesBar routes={d.routes} alias={d.alias} />
                  </td>
                  <td className="whitespace-nowrap">
                    {d.status !== "active" ? (
                      <Tag>{d.status}</Tag>
                    ) : d.rollout ? (
                      <div>
                        <Tag tone="amber">{describeRollout(d.rollout, d.routes)}</Tag>
                        <div className="mt-0.5 text-[11px] text-slate-500">
                          v{d.rollout.challenger} since {formatRelative(d.rollout.startedAt)}
                        </div>
                      </div>
                    ) : (
                      <span className="text-[12px] text-slate-400">stable</span>
                    )}
                  </td>
                  <td className="whitespace-nowrap text-right text-slate-500" title={formatDateTime(d.updatedAt)}>
                    {formatRelative(d.updatedAt)}
                  </td>
                  <td className="whitespace-nowrap text-right">
                    <Link
                      href={`/deployments/${encodeURIComponent(d.name)}/monitoring`}
                      className="text-[12px] font-medium text-indigo-600 hover:underline"
                      aria-label={`Monitoring of ${d.name}`}
                    >
                      Monitoring
                    </Link>
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
