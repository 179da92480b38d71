"use client";
/**
 * The challenger on a held-out sample, in the browser: drop or pick a CSV,
 * and its model.onnx runs on the rows with onnxruntime-web (the same runtime
 * as a version's "Try it in the browser"); the first predictions are listed
 * and, when the file has the model's target column, the metric on the sample.
 */
import { useState } from "react";
import type { ModelManifest } from "../../contract/model";
import type { Prediction } from "../inference/predictions";
import { useBrowserModel } from "../inference/use-browser-model";
import { formatNumber, formatPercent } from "../ui/format";
import { UploadIcon } from "../ui/icons";
import { Card, ErrorNote } from "../ui/page";
import { MAX_SAMPLE_BYTES, parseSample, sampleMetric, toInstances, type Sample, type SampleMetric } from "./sample";

/** Rows run at once (the runtime holds them all in memory). */
const MAX_ROWS = 10_000;
const SHOWN_ROWS = 10;

interface Result {
  file: string;
  sample: Sample;
  predictions: Prediction[];
  metric: SampleMetric | null;
  ms: number;
  truncated: boolean;
}

export function SamplePreview({ modelUrl, manifest, evaluated }: { modelUrl: string; manifest: ModelManifest; evaluated: Record<string, number> }) {
  const model = useBrowserModel(modelUrl, manifest);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<Result | null>(null);

  const run = async (file: File) => {
    setError(null);
    setResult(null);
    setBusy(true);
    try {
      if (file.size > MAX_SAMPLE_BYTES)
        throw new Error(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the preview reads at most ${MAX_SAMPLE_BYTES / 1e6} MB`);
      const all = parseSample(await file.text());
      const sample = { columns: all.columns, rows: all.rows.slice(0, MAX_ROWS) };
      const instances = toInstances(manifest, sample);
      await model.load(); // the runtime and the model file, once: not part of the timing
      const t0 = performance.now();
      const predictions = await model.predict(instances);
      const ms = performance.now() - t0;
      setResult({ file: file.name, sample, predictions, metric: sampleMetric(manifest, sample, predictions), ms, truncated: all.rows.length > MAX_ROWS });
    } catch (e) {
      setError(new Error(`${file.name}: ${e instanceof Error ? e.message : String(e)}`));
    } finally {
      setBusy(false);
    }
  };

  const shownInputs = manifest.inputs.slice(0, 3);
  const hasTarget = result?.sample.columns.includes(manifest.target) ?? false;
  return (
    <Card
      title="Preview on a held-out sample"
      actions={
        <span className="text-[11.5px] text-slate-500" data-testid="runtime-status">
          {model.status === "ready"
            ? "onnxruntime-web · wasm · ready"
            : model.status === "loading"
              ? "loading runtime…"
              : model.status === "error"
                ? "runtime failed"
                : "onnxruntime-web · wasm"}
        </span>
      }
    >
      <div className="p-4">
        <label
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            const f = e.dataTransfer.files[0];
            if (f) void run(f);
          }}
          className={`relative flex cursor-pointer flex-col items-center justify-center rounded-lg border border-dashed px-4 py-5 text-center transition-colors ${
            over ? "border-indigo-400 bg-indigo-50" : "border-slate-300 bg-slate-50/60 hover:bg-slate-50"
          }`}
          data-testid="sample-drop"
        >
          <UploadIcon className="mb-1.5 text-slate-400" />
          <span className="text-[13px] font-medium text-slate-700">{busy ? "Running the challenger…" : "Drop a CSV here, or click to pick one"}</span>
          <span className="mt-0.5 text-[12px] text-slate-500">
            Header row first; columns <span className="font-mono">{manifest.inputs.map((i) => i.name).join(", ")}</span> and, to score it,{" "}
            <span className="font-mono">{manifest.target}</span>. Nothing leaves the browser.
          </span>
          <input
            type="file"
            accept=".csv,text/csv"
            aria-label="Sample CSV"
            className="sr-only"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void run(f);
              e.target.value = "";
            }}
          />
        </label>
        {error ? (
          <div className="mt-3" data-testid="sample-error">
            <ErrorNote error={error} title="Could not preview this file" />
          </div>
        ) : null}
        {result ? (
          <div className="mt-4" data-testid="sample-result">
            <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2 text-[12.5px] text-slate-600">
              <span>
                <span className="font-medium text-slate-800">{result.file}</span> · {result.sample.rows.length.toLocaleString("en-US")} rows
                {result.truncated ? ` (the first ${MAX_ROWS.toLocaleString("en-US")})` : ""} · predicted in {result.ms.toFixed(0)} ms in the browser
              </span>
            </div>
            {result.metric ? (
              <div className="mb-3 flex flex-wrap gap-2" data-testid="sample-metric">
                {(result.metric.kind === "regression"
                  ? [
                      ["mae", result.metric.mae],
                      ["rmse", result.metric.rmse],
                    ]
                  : [["accuracy", result.metric.accuracy]]
                ).map(([k, v]) => (
                  <div key={k as string} className="min-w-32 rounded-md bg-slate-50 px-2.5 py-1.5 ring-1 ring-inset ring-slate-200" data-metric={k}>
                    <div className="font-mono text-[10.5px] uppercase text-slate-500">{k} on this sample</div>
                    <div className="font-mono text-[15px] font-semibold text-slate-900" data-value={v}>
                      {k === "accuracy" ? formatPercent(v as number) : formatNumber(v as number)}
                    </div>
                    {typeof evaluated[k as string] === "number" ? (
                      <div className="text-[11px] text-slate-500">
                        evaluation: {k === "accuracy" ? formatPercent(evaluated[k as string]) : formatNumber(evaluated[k as string])}
                      </div>
                    ) : null}
                  </div>
                ))}
                <div className="self-center text-[11.5px] text-slate-500">
                  over {result.metric.rows.toLocaleString("en-US")} rows with a {manifest.target}
                </div>
              </div>
            ) : (
              <p className="mb-3 text-[12px] text-slate-500">
                The file has no <span className="font-mono">{manifest.target}</span> column, so there is nothing to score against: predictions only.
              </p>
            )}
            <div className="overflow-x-auto rounded-md ring-1 ring-slate-200">
              <table className="w-full border-collapse text-[12px]" data-testid="sample-predictions">
                <thead className="bg-slate-50 text-left text-[11px] text-slate-500">
                  <tr>
                    <th className="px-2.5 py-1.5 font-medium">row</th>
                    {shownInputs.map((i) => (
                      <th key={i.name} className="px-2.5 py-1.5 text-right font-mono font-medium">
                        {i.name}
                      </th>
                    ))}
                    {manifest.inputs.length > shownInputs.length ? (
                      <th className="px-2.5 py-1.5 font-medium text-slate-400">+{manifest.inputs.length - shownInputs.length}</th>
                    ) : null}
                    <th className="px-2.5 py-1.5 text-right font-medium">prediction</th>
                    {hasTarget ? (
                      <>
                        <th className="px-2.5 py-1.5 text-right font-mono font-medium">{manifest.target}</th>
                        <th className="px-2.5 py-1.5 text-right font-medium">{manifest.task === "classification" ? "right" : "|error|"}</th>
                      </>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {result.predictions.slice(0, SHOWN_ROWS).map((p, i) => {
                    const row = result.sample.rows[i]!;
                    const actual = row[manifest.target] ?? "";
                    const value = "prediction" in p && typeof p.prediction === "number" ? p.prediction : "label" in p ? String(p.label) : JSON.stringify(p);
                    return (
                      <tr key={i} className="border-t border-slate-100">
                        <td className="px-2.5 py-1 text-slate-400">{i + 1}</td>
                        {shownInputs.map((c) => (
                          <td key={c.name} className="px-2.5 py-1 text-right font-mono text-slate-600">
                            {row[c.name] || "—"}
                          </td>
                        ))}
                        {manifest.inputs.length > shownInputs.length ? <td className="px-2.5 py-1 text-slate-300">…</td> : null}
                        <td className="px-2.5 py-1 text-right font-mono font-semibold text-slate-900" data-testid="sample-prediction">
                          {typeof value === "number" ? formatNumber(value) : value}
                        </td>
                        {hasTarget ? (
                          <>
                            <td className="px-2.5 py-1 text-right font-mono text-slate-600">{actual || "—"}</td>
                            <td className="px-2.5 py-1 text-right font-mono text-slate-500">
                              {actual === ""
                                ? "—"
                                : typeof value === "number"
                                  ? formatNumber(Math.abs(value - Number(actual)), 3)
                                  : value === actual
                                    ? "✓"
                                    : "✗"}
                            </td>
                          </>
                        ) : null}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {result.predictions.length > SHOWN_ROWS ? (
              <p className="mt-1.5 text-[11.5px] text-slate-400">
                The first {SHOWN_ROWS} of {result.predictions.length.toLocaleString("en-US")} predictions.
              </p>
            ) : null}
          </div>
        ) : null}
      </div>
    </Card>
  );
}
