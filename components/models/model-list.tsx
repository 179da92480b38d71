"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { formatRelative } from "../ui/format";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";

export function ModelList() {
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions({}));
  return (
    <PageContainer>
      <PageHeader title="Models" subtitle="The registry: named models, immutable versions, and the aliases that serving follows." />
      {models.isPending ? (
        <Loading />
      ) : models.isError ? (
        <ErrorNote error={models.error} title="Could not load models" />
      ) : models.data.length === 0 ? (
        <EmptyState title="No models registered yet">A pipeline with a Deploy endpoint node registers a model version when its gate passes.</EmptyState>
      ) : (
        <Card>
          <Table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Latest version</th>
                <th>Endpoint</th>
                <th className="text-right">Registered</th>
              </tr>
            </thead>
            <tbody>
              {models.data.map((m) => (
                <tr key={m.name} className="hover:bg-slate-50/60">
                  <td>
                    <Link href={`/models/${encodeURIComponent(m.name)}`} className="font-medium text-slate-800 hover:text-indigo-700">
                      {m.name}
                    </Link>
                  </td>
                  <td>
                    {m.latestVersion ? (
                      <Link
                        href={`/models/${encodeURIComponent(m.name)}/versions/${m.latestVersion}`}
                        className="font-mono text-xs text-indigo-600 hover:underline"
                      >
                        v{m.latestVersion}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="font-mono text-xs text-slate-500">/v2/models/{m.name}</td>
                  <td className="text-right text-slate-500">{formatRelative(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      )}
    </PageContainer>
  );
}
