"use client";
/**
 * /models/{name}/versions/{v}: the version's package (manifest, metrics,
 * lineage) and the in-browser preview: the same model.onnx run by
 * onnxruntime-web, compared with the serving process's answer.
 */
import Link from "next/link";
import { RunLink } from "../ui/run-link";
import { useMemo, useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { ModelManifest } from "../../contract/model";
import { compareParity, PARITY_TOLERANCE, type Instance, type Prediction } from "../inference/predictions";
import { useBrowserModel } from "../inference/use-browser-model";
import { useTRPC } from "../trpc/trpc";
import { Button } from "../ui/button";
import { formatDateTime, formatNumber, shortSha } from "../ui/format";
import { Card, ErrorNote, Loading, PageContainer, PageHeader } from "../ui/page";
import { Tag } from "../ui/status-badge";

/** A manifest may carry one real training row (`example`) to prefill the form. */
type ManifestWithExample = ModelManifest & { example?: Record<string, unknown> };

export function initialValues(manifest: ManifestWithExample): Record<string, string> {
  const out: Record<string, string> = {};
  for (const input of manifest.inputs) {
    const ex = manifest.example?.[input.name];
    out[input.name] = ex === null || ex === undefined ? "" : String(ex);
  }
  return out;
}

/** Form text → one instance; a blank field is a missing value (null). */
export function toInstance(manifest: Pick<ModelManifest, "inputs">, values: Record<string, string>): { instance: Instance; errors: Record<string, string> } {
  const instance: Instance = {};
  const errors: Record<string, string> = {};
  for (const input of manifest.inputs) {
    const raw = (values[input.name] ?? "").trim();
    if (raw === "") instance[input.name] = null;
    else if (input.datatype === "FP32") {
      const n = Number(raw);
      if (Number.isFinite(n)) instance[input.name] = n;
      else errors[input.name] = "must be a number";
    } else instance[input.name] = raw;
  }
  return { instance, errors };
}

export function ModelVersionView({ name, version }: { name: string; version: number }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.models.version.queryOptions({ name, version }));
  const model = useQuery(trpc.models.get.queryOptions({ name }));
  if (q.isPending) return <Loading />;
  if (q.isError)
    return (
      <PageContainer>
        <ErrorNote error={q.error} title={`Could not load ${name} v${version}`} />
      </PageContainer>
    );
  const v = q.data;
  const manifest = v.manifest as ManifestWithExample;
  const aliases = Object.entries(model.data?.aliases ?? {}).filter(([, n]) => n === version);
  return (
    <PageContainer>
      <PageHeader
        eyebrow={
          <>
            <Link href="/models" className="hover:text-slate-800">
              Models
            </Link>
            <span className="mx-1.5 text-slate-300">/</span>
            <Link href={`/models/${encodeURIComponent(name)}`} className="hover:text-slate-800">
              {name}
            </Link>
          </>
        }
        title={
          <span className="flex items-center gap-2.5">
            {name} <span className="font-mono text-base font-medium text-slate-400">v{version}</span>
            {aliases.map(([a]) => (
              <Tag key={a} tone="indigo">
                {a}
              </Tag>
            ))}
          </span>
        }
        subtitle={`${manifest.task} model predicting ${manifest.target} · registered ${formatDateTime(v.createdAt)}`}
        actions={
          <a href={v.modelUrl} className="text-xs font-medium text-indigo-600 hover:underline" download>
            Download model.onnx
          </a>
        }
      />
      <div className="grid grid-cols-[minmax(0,1fr)_320px] gap-5">
        <Preview name={name} version={version} modelUrl={v.modelUrl} manifest={manifest} />
        <div className="space-y-5">
          <Card title="Metrics">
            <div className="grid grid-cols-2 gap-2 p-3">
              {Object.entries(v.metrics ?? {}).map(([k, val]) => (
                <div key={k} className="rounded-md bg-slate-50 px-2.5 py-1.5 ring-1 ring-inset ring-slate-200">
                  <div className="font-mono text-[10.5px] uppercase text-slate-500">{k}</div>
                  <div className="font-mono text-[14px] font-semibold text-slate-900">{formatNumber(val)}</div>
                </div>
              ))}
            </div>
          </Card>
          <Card title="Package">
            <dl className="space-y-2 p-4 text-[12.5px]">
              <Row k="sha256">
                <span className="font-mono" title={v.sha256}>
                  {shortSha(v.sha256, 16)}
                </span>
              </Row>
              <Row k="run">
                <RunLink runId={v.runId} className="font-mono text-indigo-600 hover:underline" />
              </Row>
              <Row k="pipeline">
                <Link href={`/pipelines/${manifest.pipeline.id}`} className="text-indigo-600 hover:underline">
                  v{manifest.pipeline.version} · {manifest.pipeline.nodeId}
                </Link>
              </Row>
              <Row k="training data">
                <span className="font-mono">
                  {manifest.trainingData.rows.toLocaleString("en-US")} rows · {shortSha(manifest.trainingData.sha256, 8)}
                </span>
              </Row>
              <Row k="seed">{manifest.seed ?? "—"}</Row>
              <Row k="trainer">{manifest.nodeType}</Row>
              {manifest.classes ? <Row k="classes">{manifest.classes.join(", ")}</Row> : null}
              <Row k="outputs">
                <span className="font-mono">{manifest.outputs.map((o) => `${o.name} ${o.datatype}`).join(", ")}</span>
              </Row>
            </dl>
          </Card>
        </div>
      </div>
    </PageContainer>
  );
}

function Row({ k, children }: { k: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[96px_1fr] gap-2">
      <dt className="text-slate-500">{k}</dt>
      <dd className="min-w-0 truncate text-slate-800">{children}</dd>
    </div>
  );
}

function Preview({ name, version, modelUrl, manifest }: { name: string; version: number; modelUrl: string; manifest: ManifestWithExample }) {
  const trpc = useTRPC();
  const browserModel = useBrowserModel(modelUrl, manifest);
  const [values, setValues] = useState(() => initialValues(manifest));
  const [browser, setBrowser] = useState<{ prediction: Prediction; ms: number } | null>(null);
  const [server, setServer] = useState<Prediction | null>(null);
  const [error, setError] = useState<unknown>(null);
  const infer = useMutation(trpc.models.predict.mutationOptions());
  const { instance, errors } = useMemo(() => toInstance(manifest, values), [manifest, values]);
  const invalid = Object.keys(errors).length > 0;
  const parity = useMemo(() => (browser && server ? compareParity(browser.prediction, server) : null), [browser, server]);

  const runBrowser = async () => {
    setError(null);
    try {
      await browserModel.load();
      const t0 = performance.now();
      const [p] = await browserModel.predict([instance]);
      const ms = performance.now() - t0;
      if (!p) throw new Error("the model returned no prediction");
      setBrowser({ prediction: p, ms });
      return p;
    } catch (e) {
      setError(e);
      return null;
    }
  };
  const compare = async () => {
    setError(null);
    setServer(null);
    const b = await runBrowser();
    if (!b) return;
    try {
      const res = (await infer.mutateAsync({ name, version, instances: [instance] })) as { predictions?: Prediction[] };
      const s = res.predictions?.[0];
      if (!s) throw new Error("the server returned no prediction");
      setServer(s);
    } catch (e) {
      setError(e);
    }
  };
  const edit = (k: string, v: string) => {
    setValues((old) => ({ ...old, [k]: v }));
    setBrowser(null);
    setServer(null);
  };

  return (
    <Card
      title="Try it in the browser"
      actions={
        <span className="text-[11.5px] text-slate-500" data-testid="runtime-status">
          {browserModel.status === "ready"
            ? "onnxruntime-web · wasm · ready"
            : browserModel.status === "loading"
              ? "loading runtime…"
              : browserModel.status === "error"
                ? "runtime failed"
                : "onnxruntime-web · wasm"}
        </span>
      }
    >
      <div className="p-4">
        <p className="mb-3 text-[12.5px] text-slate-500">
          The same <span className="font-mono">model.onnx</span> the server loads, run here with onnxruntime-web. Leave a field blank for a missing value
          (numbers are imputed with the training mean).
        </p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void runBrowser();
          }}
          className="grid grid-cols-3 gap-x-3 gap-y-2.5"
          aria-label="Model inputs"
        >
          {manifest.inputs.map((input) => (
            <div key={input.name}>
              <label htmlFor={`in-${input.name}`} className="mb-0.5 flex items-baseline justify-between gap-1 text-[12px]">
                <span className="truncate font-mono font-medium text-slate-700">{input.name}</span>
                <span className="text-[10px] text-slate-400">{input.datatype === "FP32" ? "number" : "text"}</span>
              </label>
              <input
                id={`in-${input.name}`}
                aria-label={input.name}
                inputMode={input.datatype === "FP32" ? "decimal" : "text"}
                value={values[input.name] ?? ""}
                placeholder={input.datatype === "FP32" ? "mean" : "missing"}
                onChange={(e) => edit(input.name, e.target.value)}
                className={`h-8 w-full rounded-md border bg-white px-2 font-mono text-[13px] focus:outline-none focus:ring-2 ${errors[input.name] ? "border-rose-300 focus:ring-rose-100" : "border-slate-200 focus:border-indigo-400 focus:ring-indigo-100"}`}
              />
              {errors[input.name] ? <p className="mt-0.5 text-[11px] text-rose-600">{errors[input.name]}</p> : null}
            </div>
          ))}
        </form>
        <div className="mt-4 flex items-center gap-2">
          <Button variant="primary" onClick={() => void runBrowser()} disabled={invalid || browserModel.status === "loading"}>
            Predict in browser
          </Button>
          <Button onClick={() => void compare()} disabled={invalid || infer.isPending || browserModel.status === "loading"}>
            {infer.isPending ? "Asking the server…" : "Compare with server"}
          </Button>
        </div>
        {error ? (
          <div className="mt-4">
            <ErrorNote error={error} title="Prediction failed" />
          </div>
        ) : null}
        {browser || server ? (
          <div className="mt-5 grid grid-cols-2 gap-3">
            <PredictionPanel
              testId="browser-prediction"
              title="Browser"
              subtitle={browser ? `onnxruntime-web · ${browser.ms.toFixed(1)} ms` : ""}
              prediction={browser?.prediction ?? null}
            />
            <PredictionPanel
              testId="server-prediction"
              title="Server"
              subtitle={server ? `serving /v1/predict/${name}/versions/${version}` : infer.isPending ? "waiting…" : "press Compare with server"}
              prediction={server}
            />
          </div>
        ) : null}
        {parity ? (
          <div
            data-testid="parity"
            data-ok={parity.ok}
            className={`mt-3 rounded-md px-3.5 py-2.5 ring-1 ring-inset ${parity.ok ? "bg-emerald-50 ring-emerald-200" : "bg-rose-50 ring-rose-200"}`}
          >
            <div className={`text-[13px] font-semibold ${parity.ok ? "text-emerald-800" : "text-rose-800"}`}>
              {parity.ok ? "✓ Browser and server agree" : "✗ Browser and server disagree"}
              <span className="ml-2 font-mono text-[12px] font-normal">
                max |diff| = {parity.maxDiff === 0 ? "0" : parity.maxDiff.toExponential(2)} (tolerance {PARITY_TOLERANCE.toExponential(0)})
              </span>
            </div>
            <table className="mt-2 w-full font-mono text-[11.5px]">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="font-normal">field</th>
                  <th className="text-right font-normal">browser</th>
                  <th className="text-right font-normal">server</th>
                  <th className="text-right font-normal">|diff|</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {parity.rows.map((r) => (
                  <tr key={r.field}>
                    <td>{r.field}</td>
                    <td className="text-right">{String(r.browser ?? "—")}</td>
                    <td className="text-right">{String(r.server ?? "—")}</td>
                    <td className="text-right">{Number.isFinite(r.diff) ? (r.diff === 0 ? "0" : r.diff.toExponential(2)) : "≠"}</td>
                    <td className="w-6 text-right">{r.ok ? "✓" : "✗"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </Card>
  );
}

function PredictionPanel({ testId, title, subtitle, prediction }: { testId: string; title: string; subtitle: string; prediction: Prediction | null }) {
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3.5 py-3" data-testid={testId}>
      <div className="flex items-baseline justify-between">
        <span className="text-[12px] font-semibold uppercase tracking-wide text-slate-500">{title}</span>
        <span className="truncate pl-2 text-[11px] text-slate-400">{subtitle}</span>
      </div>
      {prediction ? <PredictionValue p={prediction} /> : <div className="mt-2 text-sm text-slate-400">—</div>}
    </div>
  );
}

function PredictionValue({ p }: { p: Prediction }) {
  if ("prediction" in p && typeof p.prediction === "number") {
    return (
      <div className="mt-1.5 font-mono text-2xl font-semibold text-slate-900" data-value={p.prediction} title={String(p.prediction)}>
        {+p.prediction.toPrecision(7)}
      </div>
    );
  }
  if ("label" in p) {
    const probs = (p.probabilities ?? {}) as Record<string, number>;
    return (
      <div className="mt-1.5">
        <div className="font-mono text-xl font-semibold text-slate-900" data-value={String(p.label)}>
          {String(p.label)}
        </div>
        <div className="mt-2 space-y-1">
          {Object.entries(probs).map(([c, v]) => (
            <div key={c} className="flex items-center gap-2 text-[11.5px]">
              <span className="w-20 truncate font-mono text-slate-600">{c}</span>
              <span className="h-1.5 flex-1 overflow-hidden rounded-full bg-slate-100">
                <span className="block h-full rounded-full bg-indigo-500" style={{ width: `${Math.max(0, Math.min(1, v)) * 100}%` }} />
              </span>
              <span className="w-16 text-right font-mono text-slate-700">{v.toFixed(5)}</span>
            </div>
          ))}
        </div>
      </div>
    );
  }
  return <pre className="mt-1.5 overflow-x-auto font-mono text-[11.5px]">{JSON.stringify(p, null, 2)}</pre>;
}
