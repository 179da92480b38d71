"use client";
/** The team's datasets, newest first, and the upload that adds one (refusals shown with the line they name). */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { Button } from "../ui/button";
import { formatDateTime, formatRelative } from "../ui/format";
import { UploadIcon } from "../ui/icons";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { uploadCsv } from "./upload";

export function DatasetList() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const fileRef = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const [refused, setRefused] = useState<{ file: string; message: string } | null>(null);

  const upload = async (file: File) => {
    setRefused(null);
    setUploading(file.name);
    try {
      const ds = await uploadCsv(file);
      await queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
      router.push(`/datasets/${ds.id}`);
    } catch (e) {
      setRefused({ file: file.name, message: e instanceof Error ? e.message : String(e) });
    } finally {
      setUploading(null);
    }
  };

  return (
    <PageContainer>
      <PageHeader
        title="Datasets"
        subtitle="Uploaded CSV files, each upload a new version of its name. Look at a dataset's columns before a pipeline reads it."
        actions={
          <>
            <Button variant="primary" disabled={uploading !== null} onClick={() => fileRef.current?.click()}>
              <UploadIcon width={14} height={14} />
              {uploading ? `Uploading ${uploading}…` : "Upload CSV"}
            </Button>
            <input
              ref={fileRef}
              type="file"
              accept=".csv,text/csv,.txt"
              className="hidden"
              data-testid="dataset-upload-input"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (file) void upload(file);
              }}
            />
          </>
        }
      />
      {refused ? (
        <div className="mb-5">
          <ErrorNote title={`${refused.file} was not uploaded`} error={refused.message} />
        </div>
      ) : null}
      {datasets.isPending ? (
        <Loading />
      ) : datasets.isError ? (
        <ErrorNote error={datasets.error} title="Could not load datasets" />
      ) : datasets.data.length === 0 ? (
        <EmptyState title="No datasets yet">
          Upload a CSV file (UTF-8, a header row first, up to 200 MB). Pipelines read it with an ingest node whose source is{" "}
          <span className="font-mono">dataset:&lt;name&gt;</span>.
        </EmptyState>
      ) : (
        <Card>
          <Table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Version</th>
                <th className="text-right">Rows</th>
                <th>Columns</th>
                <th className="text-right">Uploaded</th>
              </tr>
            </thead>
            <tbody>
              {datasets.data.map((d) => (
                <tr key={d.id} className="hover:bg-slate-50/60" data-testid="dataset-row">
                  <td className="max-w-[240px]">
                    <Link href={`/datasets/${d.id}`} className="block truncate font-medium text-slate-800 hover:text-indigo-700" title={d.name}>
                      {d.name}
                    </Link>
                  </td>
                  <td className="font-mono text-xs text-slate-600">v{d.version}</td>
                  <td className="text-right font-mono text-xs">{d.rows.toLocaleString("en-US")}</td>
                  <td className="max-w-[380px] truncate font-mono text-xs text-slate-500" title={d.columns.map((c) => `${c.name} ${c.type}`).join(", ")}>
                    {d.columns.map((c) => c.name).join(", ")}
                  </td>
                  <td className="whitespace-nowrap text-right text-slate-500" title={formatDateTime(d.createdAt)}>
                    {formatRelative(d.createdAt)}
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
