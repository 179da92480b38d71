"use client";
/** ingest.csv's `source`: a bundled sample, an uploaded dataset, or a new upload. */
import { useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { SAMPLES, SAMPLE_NAMES } from "../../workflows/spec/samples";
import { datasetSource, findDatasetFor } from "../../workflows/nodes/ingest.csv/source-ref";
import { useTRPC } from "../trpc/trpc";
import { Button } from "../ui/button";
import { UploadIcon } from "../ui/icons";
import { uploadCsv } from "../datasets/upload";
import type { FieldWidget } from "./config-form";

export const SourceField: FieldWidget = ({ id, field, value, onChange, invalid }) => {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const fileRef = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const current = typeof value === "string" ? value : "";
  const sample = current.startsWith("sample:") ? SAMPLES[current.slice(7) as keyof typeof SAMPLES] : undefined;
  const all = datasets.data ?? [];
  const uploaded = findDatasetFor(current, all);
  // One choice per name (its latest version at run time) and one per pinned version.
  const latest = [...new Map(all.map((d) => [d.name, d])).values()].map((d) => findDatasetFor(datasetSource(d.name), all)!);
  const options = new Set([...latest.map((d) => datasetSource(d.name)), ...all.map((d) => datasetSource(d.name, d.version))]);
  const known = current === "" || sample !== undefined || options.has(current);

  return (
    <div className="space-y-1.5">
      <select
        id={id}
        aria-label={field.name}
        aria-invalid={invalid || undefined}
        value={current}
        onChange={(e) => onChange(e.target.value || undefined)}
        className={`h-8 w-full rounded-md border bg-white px-2 text-sm focus:outline-none focus:ring-2 ${invalid ? "border-rose-300 focus:ring-rose-100" : "border-slate-200 focus:border-indigo-400 focus:ring-indigo-100"}`}
      >
        <option value="">Choose a dataset…</option>
        <optgroup label="Bundled samples">
          {SAMPLE_NAMES.map((n) => (
            <option key={n} value={`sample:${n}`}>
              {SAMPLES[n].label}
            </option>
          ))}
        </optgroup>
        {latest.length ? (
          <optgroup label="Uploaded datasets (latest version at run time)">
            {latest.map((d) => (
              <option key={d.name} value={datasetSource(d.name)}>
                {d.name} (now v{d.version}, {d.rows.toLocaleString("en-US")} rows)
              </option>
            ))}
          </optgroup>
        ) : null}
        {all.length ? (
          <optgroup label="Pinned versions">
            {all.map((d) => (
              <option key={d.id} value={datasetSource(d.name, d.version)}>
                {d.name} v{d.version} ({d.rows.toLocaleString("en-US")} rows)
              </option>
            ))}
          </optgroup>
        ) : null}
        {!known ? <option value={current}>{current}</option> : null}
      </select>
      <div className="flex items-center justify-between gap-2">
        <span className="min-w-0 truncate font-mono text-[11px] text-slate-400">{current || "no dataset chosen"}</span>
        <Button
          size="sm"
          variant="ghost"
          className="shrink-0 whitespace-nowrap"
          aria-label="Upload CSV"
          title="Upload a CSV file as a new dataset"
          disabled={uploading}
          onClick={() => fileRef.current?.click()}
        >
          <UploadIcon width={13} height={13} />
          {uploading ? "Uploading…" : "Upload CSV"}
        </Button>
        <input
          ref={fileRef}
          type="file"
          accept=".csv,text/csv"
          className="hidden"
          data-testid="upload-csv-input"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (!file) return;
            setUploading(true);
            setUploadError(null);
            try {
              const ds = await uploadCsv(file);
              await queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
              onChange(datasetSource(ds.name));
            } catch (err) {
              setUploadError(err instanceof Error ? err.message : String(err));
            } finally {
              setUploading(false);
            }
          }}
        />
      </div>
      {sample ? (
        <div className="text-[11.5px] text-slate-500">
          Suggested target: <span className="font-mono text-slate-700">{sample.target}</span>
        </div>
      ) : uploaded ? (
        <div className="text-[11.5px] leading-snug text-slate-500">
          {uploaded.rows.toLocaleString("en-US")} rows · columns:{" "}
          <span className="font-mono text-slate-700">{uploaded.columns.map((c) => c.name).join(", ")}</span> ·{" "}
          <a href={`/datasets/${uploaded.id}`} target="_blank" rel="noopener" className="whitespace-nowrap text-indigo-600 hover:underline">
            preview and column statistics
          </a>
        </div>
      ) : null}
      {uploadError ? (
        <p role="alert" className="text-[11.5px] font-medium text-rose-600">
          {uploadError}
        </p>
      ) : null}
    </div>
  );
};
