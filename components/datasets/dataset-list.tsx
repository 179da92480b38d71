"use client";
/** The team's datasets, newest first, the upload that adds one (refusals shown with the line they name), and delete with undo. */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { ActionError } from "../ui/action-error";
import { Button } from "../ui/button";
import { formatDateTime, formatRelative } from "../ui/format";
import { TrashIcon, UploadIcon } from "../ui/icons";
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
  const remove = useMutation(trpc.datasets.delete.mutationOptions());
  const restore = useMutation(trpc.datasets.restore.mutationOptions());
  const [deleteFailure, setDeleteFailure] = useState<{ label: string; error: unknown } | null>(null);
  const [deleted, setDeleted] = useState<{ id: string; label: string; restored?: boolean } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });

  const deleteOne = async (id: string, label: string) => {
    setDeleteFailure(null);
    setDeleted(null);
    try {
      await remove.mutateAsync({ id });
      await refresh();
      setDeleted({ id, label });
    } catch (e) {
      setDeleteFailure({ label, error: e });
    }
  };
  const undo = async (id: string, label: string) => {
    setDeleteFailure(null);
    try {
      await restore.mutateAsync({ id });
      await refresh();
      setDeleted({ id, label, restored: true });
    } catch (e) {
      setDeleteFailure({ label, error: e });
    }
  };

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
      {deleteFailure ? (
        <div className="mb-5" data-testid="dataset-delete-error">
          <div className="mb-1 text-[13px] font-medium text-slate-800">Could not delete {deleteFailure.label}</div>
          <ActionError error={deleteFailure.error} />
        </div>
      ) : null}
      {deleted ? (
        <div
          role="status"
          className="mb-5 flex items-center justify-between gap-4 rounded-md border border-slate-200 bg-slate-50 px-3.5 py-2 text-[13px] text-slate-700"
        >
          <span>
            {deleted.restored ? "Restored" : "Deleted"} {deleted.label}.
          </span>
          {deleted.restored ? null : (
            <Button size="sm" variant="secondary" disabled={restore.isPending} onClick={() => void undo(deleted.id, deleted.label)}>
              Undo
            </Button>
          )}
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
                <th>
                  <span className="sr-only">Actions</span>
                </th>
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
                  <td className="w-10 text-right">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Delete ${d.name} v${d.version}`}
                      title="Delete this version (you can undo it)"
                      disabled={remove.isPending}
                      onClick={() => void deleteOne(d.id, `${d.name} v${d.version}`)}
                      className="hover:!text-rose-600"
                    >
                      <TrashIcon width={13} height={13} />
                    </Button>
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
