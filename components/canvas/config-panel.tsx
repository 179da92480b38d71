"use client";
/** The side panel: the selected node's settings, or the pipeline's when none is selected. */
import { memo, useMemo, useState } from "react";
import { resolveNodeType } from "../../workflows/nodes/registry";
import type { SpecError } from "../../workflows/spec/spec";
import type { PortDef } from "../../workflows/nodes/types";
import type { NodeInsight } from "../../workflows/compiler/compile";
import { configFields } from "./config-fields";
import { ConfigForm, type FieldWidget } from "./config-form";
import type { PipelineMeta, PipelineNode } from "./graph-spec";
import { PORT_COLORS } from "./graph-spec";
import { GROUP_STYLE } from "./node-style";
import { configProblems, describeProblem, nodeLevelProblems } from "./problems";
import { SourceField } from "./source-field";
import { TrashIcon } from "../ui/icons";
import { UpgradeNotice } from "./upgrade-notice";
import { TriggersSection, type FreshWebhook, type PipelineSettingsProps } from "./triggers-section";

/** Field widgets that replace the generic control, keyed by "<node type>:<field>". */
const WIDGETS: Record<string, FieldWidget> = {
  "ingest.csv:source": SourceField,
};

function widgetsFor(type: string): Record<string, FieldWidget> {
  return Object.fromEntries(
    Object.entries(WIDGETS)
      .filter(([k]) => k.startsWith(`${type}:`))
      .map(([k, w]) => [k.slice(type.length + 1), w]),
  );
}

const textInput =
  "h-8 w-full rounded-md border border-slate-200 bg-white px-2.5 text-sm focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100";

/** Memoised: the editor re-renders on every frame of a drag, the panel need not. */
export const ConfigPanel = memo(function ConfigPanel({
  node,
  meta,
  errors,
  readOnly = false,
  onConfig,
  onLabel,
  onDelete,
  onMeta,
  insight,
  pipelineId,
  freshWebhook,
  onFreshWebhook,
}: {
  /** The selected node's input columns and form hints (from the validation). */
  insight?: NodeInsight;
  node: PipelineNode | undefined;
  meta: PipelineMeta;
  errors: readonly SpecError[];
  readOnly?: boolean;
  /** A config edit; with `version`, the node moves to that version of its type too (an upgrade). */
  onConfig: (id: string, config: Record<string, unknown>, version?: number) => void;
  onLabel: (id: string, label: string) => void;
  onDelete: (id: string) => void;
  onMeta: (meta: PipelineMeta) => void;
  /** The saved pipeline's id: its triggers' live state is shown. */
  pipelineId?: string;
  freshWebhook?: FreshWebhook | null;
  onFreshWebhook?: (w: FreshWebhook) => void;
}) {
  return (
    <aside aria-label={node ? "Node settings" : "Pipeline settings"} className="flex w-[300px] shrink-0 flex-col border-l border-slate-200 bg-white">
      {node ? (
        <NodeSettings
          key={node.id}
          node={node}
          errors={errors}
          readOnly={readOnly}
          onConfig={onConfig}
          onLabel={onLabel}
          onDelete={onDelete}
          insight={insight}
        />
      ) : (
        <PipelineSettings
          meta={meta}
          errors={errors}
          onMeta={onMeta}
          readOnly={readOnly}
          pipelineId={pipelineId}
          freshWebhook={freshWebhook}
          onFreshWebhook={onFreshWebhook}
        />
      )}
    </aside>
  );
});

function NodeSettings({
  node,
  errors,
  readOnly,
  onConfig,
  onLabel,
  onDelete,
  insight,
}: {
  node: PipelineNode;
  errors: readonly SpecError[];
  readOnly: boolean;
  onConfig: (id: string, config: Record<string, unknown>, version?: number) => void;
  onLabel: (id: string, label: string) => void;
  onDelete: (id: string) => void;
  insight: NodeInsight | undefined;
}) {
  const def = resolveNodeType(node.data.type, node.data.version);
  const inputColumns = insight?.inputColumns;
  // Column pickers read the first dataset input, as column fields do.
  const columns = inputColumns ? Object.values(inputColumns)[0] : undefined;
  /** What the editor changed on its own after the last edit (NodeDefinition.edited), until that field is edited. */
  const [note, setNote] = useState<{ field: string; message: string } | null>(null);
  const edit = (next: Record<string, unknown>) => {
    const r = def?.edited ? def.edited(next, node.data.config, { columns: (port) => inputColumns?.[port] }) : { config: next };
    if (r.note) setNote(r.note);
    else if (note && JSON.stringify(next[note.field]) !== JSON.stringify(node.data.config[note.field])) setNote(null);
    onConfig(node.id, r.config);
  };
  const fields = useMemo(() => (def ? configFields(def.config) : []), [def]);
  const problems = useMemo(() => configProblems(errors, node.id), [errors, node.id]);
  const other = useMemo(() => nodeLevelProblems(errors, node.id), [errors, node.id]);
  return (
    <>
      <header className="border-b border-slate-100 px-4 py-3">
        <div className="flex items-center gap-2">
          {def ? (
            <span className={`rounded px-1.5 py-px text-[10px] font-semibold uppercase tracking-wide ${GROUP_STYLE[def.group].chip}`}>
              {GROUP_STYLE[def.group].label}
            </span>
          ) : null}
          <span className="font-mono text-[11px] text-slate-400">
            {node.data.type}
            {def ? `@${def.version}` : ""}
          </span>
          {!readOnly ? (
            <button
              type="button"
              aria-label="Delete node"
              title="Delete node (Del)"
              onClick={() => onDelete(node.id)}
              className="ml-auto flex h-7 w-7 items-center justify-center rounded-md text-slate-400 hover:bg-rose-50 hover:text-rose-600"
            >
              <TrashIcon />
            </button>
          ) : null}
        </div>
        <h2 className="mt-1.5 text-[15px] font-semibold text-slate-900">{node.data.label || def?.label || node.data.type}</h2>
        {def ? <p className="mt-0.5 text-[12.5px] leading-snug text-slate-500">{def.description}</p> : null}
      </header>
      <div className="flex-1 space-y-5 overflow-y-auto px-4 py-4">
        <div>
          <div className="mb-1 flex items-baseline justify-between">
            <label htmlFor={`label-${node.id}`} className="text-[12px] font-medium text-slate-700">
              Label
            </label>
            <span className="text-[11px] text-slate-400">
              id{" "}
              <code className="font-mono text-slate-600" data-testid="selected-node-id">
                {node.id}
              </code>
            </span>
          </div>
          <input
            id={`label-${node.id}`}
            aria-label="Label"
            className={textInput}
            value={node.data.label ?? ""}
            placeholder={def?.label ?? ""}
            disabled={readOnly}
            onChange={(e) => onLabel(node.id, e.target.value)}
          />
        </div>

        {def && (def.inputs.length || def.outputs.length) ? (
          <div className="grid grid-cols-2 gap-3 text-[11.5px]">
            <PortColumn title="Inputs" ports={def.inputs} />
            <PortColumn title="Outputs" ports={def.outputs} />
          </div>
        ) : null}

        {!readOnly ? <UpgradeNotice node={node} onUpgrade={(d) => onConfig(node.id, d.config, d.version)} /> : null}

        {other.length ? (
          <ul className="space-y-1 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-[12px] text-rose-700">
            {other.map((e, i) => (
              <li key={i}>{describeProblem(e)}</li>
            ))}
          </ul>
        ) : null}

        <div>
          <div className="mb-2.5 text-[11px] font-semibold uppercase tracking-wider text-slate-400">Configuration</div>
          {readOnly ? (
            <pre className="overflow-x-auto rounded-md bg-slate-50 p-2.5 font-mono text-[11.5px] text-slate-700">
              {JSON.stringify(node.data.config, null, 2)}
            </pre>
          ) : (
            <ConfigForm
              nodeId={node.id}
              fields={fields}
              config={node.data.config}
              problems={problems}
              onChange={edit}
              widgets={widgetsFor(node.data.type)}
              columns={columns}
              hints={insight?.hints}
              note={note}
            />
          )}
        </div>
      </div>
    </>
  );
}

function PortColumn({ title, ports }: { title: string; ports: PortDef[] }) {
  return (
    <div className="min-w-0">
      <div className="mb-1 font-medium text-slate-500">{title}</div>
      {ports.length === 0 ? <div className="text-slate-400">none</div> : null}
      {ports.map((p) => (
        <div key={p.name} className="flex items-center gap-1.5 text-slate-600" title={`${p.name}: ${p.type}`}>
          <span className="h-2 w-2 shrink-0 rounded-full" style={{ background: PORT_COLORS[p.type] }} />
          <span className="truncate font-mono">{p.name}</span>
          {p.name !== p.type ? <span className="truncate text-slate-400">{p.type}</span> : null}
        </div>
      ))}
    </div>
  );
}

function PipelineSettings(props: PipelineSettingsProps) {
  const { meta, errors, onMeta, readOnly } = props;
  const pipelineErrors = errors.filter((e) => !e.nodeId && !e.field?.startsWith("triggers["));
  return (
    <>
      <header className="border-b border-slate-100 px-4 py-3">
        <div className="text-[11px] font-semibold uppercase tracking-wider text-slate-400">Pipeline</div>
        <h2 className="mt-1 text-[15px] font-semibold text-slate-900">Settings</h2>
        <p className="mt-0.5 text-[12.5px] text-slate-500">Select a node to edit its configuration.</p>
      </header>
      <div className="flex-1 space-y-4 overflow-y-auto px-4 py-4">
        <div>
          <label htmlFor="pipeline-description" className="mb-1 block text-[12px] font-medium text-slate-700">
            Description
          </label>
          <textarea
            id="pipeline-description"
            rows={4}
            disabled={readOnly}
            className={`${textInput} h-auto py-1.5`}
            value={meta.description ?? ""}
            placeholder="What does this pipeline produce, from which data?"
            onChange={(e) => onMeta({ ...meta, description: e.target.value })}
          />
        </div>
        <TriggersSection {...props} />
        {pipelineErrors.length ? (
          <ul className="space-y-1 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-[12px] text-rose-700">
            {pipelineErrors.map((e, i) => (
              <li key={i}>{describeProblem(e)}</li>
            ))}
          </ul>
        ) : null}
        <div className="rounded-md bg-slate-50 px-3 py-2.5 text-[12px] leading-relaxed text-slate-600">
          <div className="mb-1 font-medium text-slate-700">How it works</div>
          Drag nodes from the palette, connect an output to an input of the same colour, then Save and Run. Every save is an immutable version; a run compiles
          that version into a Temporal workflow.
        </div>
      </div>
    </>
  );
}
