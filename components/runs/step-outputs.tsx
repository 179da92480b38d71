/** A step's outputs by port, each drawn for its kind (docs/architecture.md: artifact references, never data). */
import Link from "next/link";
import type { DatasetRef, DecisionRef, DeploymentRef, MetricsRef, ModelRef, PortValue } from "../../workflows/spec/refs";
import { resolveNodeType } from "../../workflows/nodes/registry";
import { formatNumber, shortSha } from "../ui/format";
import { PORT_COLORS } from "../canvas/graph-spec";

function isPortValue(v: unknown): v is PortValue {
  return !!v && typeof v === "object" && typeof (v as { kind?: unknown }).kind === "string";
}

export function StepOutputs({ type, outputs }: { type: string; outputs: Record<string, unknown> | null | undefined }) {
  // In the order the node type declares its outputs (train before test).
  const order = resolveNodeType(type)?.outputs.map((p) => p.name) ?? [];
  const rank = (port: string) => order.indexOf(port) + 1 || order.length + 1;
  const entries = Object.entries(outputs ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  if (entries.length === 0) return null;
  return (
    <div className="space-y-2.5">
      {entries.map(([port, value]) => (
        <div key={port} className="rounded-md border border-slate-200 bg-white">
          <div className="flex items-center gap-1.5 border-b border-slate-100 px-3 py-1.5 text-[11.5px]">
            <span
              className="h-2 w-2 rounded-full"
              style={{ background: isPortValue(value) && value.kind in PORT_COLORS ? PORT_COLORS[value.kind] : "#94a3b8" }}
            />
            <span className="font-mono font-medium text-slate-700">{port}</span>
            <span className="text-slate-400">{isPortValue(value) ? value.kind : typeof value}</span>
          </div>
          <div className="px-3 py-2 text-[12.5px]">
            {isPortValue(value) ? <PortValueView value={value} /> : <pre className="font-mono text-[11px]">{JSON.stringify(value, null, 2)}</pre>}
          </div>
        </div>
      ))}
    </div>
  );
}

function PortValueView({ value }: { value: PortValue }) {
  switch (value.kind) {
    case "dataset":
      return <DatasetView d={value} />;
    case "model":
      return <ModelView m={value} />;
    case "metrics":
      return <MetricsView m={value} />;
    case "decision":
      return <DecisionView d={value} />;
    case "deployment":
      return <DeploymentView d={value} />;
  }
}

function Facts({ items }: { items: [string, React.ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5">
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500">{k}</dt>
          <dd className="min-w-0 truncate text-slate-800">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function DatasetView({ d }: { d: DatasetRef }) {
  return (
    <div className="space-y-2">
      <Facts
        items={[
          [
            "rows",
            <span key="r" className="font-mono">
              {d.rows.toLocaleString("en-US")}
            </span>,
          ],
          [
            "sha256",
            <span key="s" className="font-mono" title={d.sha256}>
              {shortSha(d.sha256)}
            </span>,
          ],
        ]}
      />
      <div className="flex flex-wrap gap-1">
        {d.schema.map((c) => (
          <span key={c.name} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[10.5px] text-slate-600" title={c.type}>
            {c.name}
            <span className="text-slate-400"> {c.type.toLowerCase()}</span>
          </span>
        ))}
      </div>
    </div>
  );
}

function ModelView({ m }: { m: ModelRef }) {
  return (
    <Facts
      items={[
        ["task", m.manifest.task],
        [
          "target",
          <span key="t" className="font-mono">
            {m.manifest.target}
          </span>,
        ],
        ["inputs", `${m.manifest.inputs.length} columns`],
        ...(m.manifest.classes ? ([["classes", m.manifest.classes.join(", ")]] as [string, React.ReactNode][]) : []),
        [
          "sha256",
          <span key="s" className="font-mono" title={m.sha256}>
            {shortSha(m.sha256)}
          </span>,
        ],
      ]}
    />
  );
}

function MetricsView({ m }: { m: MetricsRef }) {
  return (
    <div>
      <div className="mb-1.5 text-slate-500">
        {m.task} · {m.rows.toLocaleString("en-US")} rows
      </div>
      <div className="flex flex-wrap gap-2">
        {Object.entries(m.values).map(([k, v]) => (
          <div key={k} className="rounded-md bg-slate-50 px-2.5 py-1.5 ring-1 ring-inset ring-slate-200" data-testid={`metric-${k}`}>
            <div className="font-mono text-[10.5px] uppercase text-slate-500">{k}</div>
            <div className="font-mono text-[14px] font-semibold text-slate-900">{formatNumber(v)}</div>
          </div>
        ))}
      </div>
    </div>
  );
}

function DecisionView({ d }: { d: DecisionRef }) {
  return (
    <div>
      <div className={`mb-1 font-medium ${d.passed ? "text-emerald-700" : "text-rose-700"}`}>{d.passed ? "Passed" : "Did not pass"}</div>
      <ul className="space-y-0.5 font-mono text-[11.5px] text-slate-700">
        {d.reasons.map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
    </div>
  );
}

function DeploymentView({ d }: { d: DeploymentRef }) {
  return (
    <Facts
      items={[
        [
          "endpoint",
          <Link key="e" className="font-mono text-indigo-600 hover:underline" href={`/deployments/${encodeURIComponent(d.name)}`}>
            /v2/models/{d.name}
          </Link>,
        ],
        [
          "model",
          <Link key="m" className="font-medium text-indigo-600 hover:underline" href={`/models/${encodeURIComponent(d.model)}/versions/${d.version}`}>
            {d.model} v{d.version}
          </Link>,
        ],
        ["alias", d.alias],
        ["strategy", d.strategy],
      ]}
    />
  );
}
