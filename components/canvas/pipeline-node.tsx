"use client";
/**
 * The one node component for every node type: ports come from the node
 * type's definition (inputs left, outputs right, coloured by port type), so
 * a new node type needs no editor code.
 */
import { memo } from "react";
import { Handle, Position, useConnection, type NodeProps } from "@xyflow/react";
import { resolveNodeType } from "../../workflows/nodes/registry";
import { upgradeTarget } from "../../workflows/nodes/upgrade";
import type { PortDef } from "../../workflows/nodes/types";
import type { PortType } from "../../workflows/spec/spec";
import { findPort, PORT_COLORS, type PipelineNode } from "./graph-spec";
import { useCanvasContext, type NodeRunState } from "./editor-context";
import { CARD, DIFF_STYLE, NODE_WIDTH, cardLook, cardShadow } from "./node-style";
import { describeProblem } from "./problems";
import { STATUS_STYLE, toStatus } from "../ui/status-badge";
import { NoteNodeComponent } from "./note-node";
import { useDetail, type Detail } from "./level-of-detail";

interface Dragging {
  nodeId: string;
  side: "source" | "target";
  portType: PortType | undefined;
}

function useDragging(): Dragging | null {
  return useConnection((c): Dragging | null => {
    if (!c.inProgress) return null;
    const data = c.fromNode.data as { type?: string; version?: number } | undefined;
    const side = c.fromHandle.type;
    return { nodeId: c.fromNode.id, side, portType: findPort(data?.type ?? "", side === "source" ? "output" : "input", c.fromHandle.id, data?.version)?.type };
  });
}

function PortRow({
  nodeId,
  input,
  output,
  readOnly,
  dragging,
  compact,
}: {
  nodeId: string;
  input?: PortDef;
  output?: PortDef;
  readOnly: boolean;
  dragging: Dragging | null;
  compact: boolean;
}) {
  // While a connection is being drawn, ports it cannot end on fade out.
  const dim = (side: "source" | "target", port: PortDef) =>
    !!dragging && (dragging.side === side ? !(dragging.nodeId === nodeId) : dragging.portType !== port.type || dragging.nodeId === nodeId);
  return (
    <div className="relative flex h-[26px] items-center justify-between text-[11px] text-slate-600">
      {input ? (
        <>
          <Handle
            type="target"
            id={input.name}
            position={Position.Left}
            isConnectable={!readOnly}
            data-testid={`handle-${nodeId}-${input.name}`}
            data-port-type={input.type}
            title={`${input.name}: ${input.type}`}
            className={`conveyor-handle ${dim("target", input) ? "dimmed" : ""}`}
            style={{ background: PORT_COLORS[input.type] }}
          />
          {compact ? null : (
            <span className="pl-3.5">
              {input.label ?? input.name}
              {input.required === false ? <span className="text-slate-400"> (optional)</span> : null}
            </span>
          )}
        </>
      ) : (
        <span />
      )}
      {output ? (
        <>
          {compact ? null : <span className="pr-3.5 text-right">{output.label ?? output.name}</span>}
          <Handle
            type="source"
            id={output.name}
            position={Position.Right}
            isConnectable={!readOnly}
            data-testid={`handle-${nodeId}-${output.name}`}
            data-port-type={output.type}
            title={`${output.name}: ${output.type}`}
            className={`conveyor-handle ${dim("source", output) ? "dimmed" : ""}`}
            style={{ background: PORT_COLORS[output.type] }}
          />
        </>
      ) : null}
    </div>
  );
}

function PipelineNodeView(props: NodeProps<PipelineNode>) {
  // Zoomed out, text would be under 6 px: draw a light block instead (far less to mount and paint).
  const detail = useDetail();
  return detail === "low" ? <NodeBlock {...props} /> : <NodeCard {...props} compact={detail === "medium"} />;
}

/** What tests and assistive technology read from a node, in every form it draws in. */
function nodeAttributes(
  id: string,
  data: PipelineNode["data"],
  label: string | undefined,
  run: NodeRunState | undefined,
  diff: string | undefined,
  detail: Detail,
) {
  return {
    "data-testid": `node-${id}`,
    "data-node-type": data.type,
    "data-status": run?.status,
    "data-diff": diff,
    "data-detail": detail,
    "aria-label": `${data.label || label || data.type} (${id})`,
  };
}

/**
 * The zoomed-out form of a card: the same box and ports (so React Flow's
 * measurements and the edges stay valid), tinted by group, selection and
 * problems, without text.
 */
function NodeBlock({ id, data, selected }: NodeProps<PipelineNode>) {
  const { readOnly, errorsByNode, runStateByNode, diffByNode } = useCanvasContext();
  const def = resolveNodeType(data.type, data.version);
  const rows = Math.max(def?.inputs.length ?? 0, def?.outputs.length ?? 0);
  const run = runStateByNode?.get(id);
  const diff = diffByNode?.get(id);
  const look = cardLook({
    group: def?.group,
    selected: !!selected,
    problems: !readOnly && (errorsByNode.get(id)?.length ?? 0) > 0,
    runStatusColor: run && STATUS_STYLE[toStatus(run.status)].ring,
    diff,
    low: true,
  });
  return (
    <div
      {...nodeAttributes(id, data, def?.label, run, diff, "low")}
      className="rounded-lg"
      style={{ width: NODE_WIDTH, background: look.fill, boxShadow: cardShadow(look) }}
    >
      <div style={{ height: CARD.header }} />
      {!def ? (
        <div className="invisible px-3 py-2 text-[11px]">Unknown node type</div>
      ) : rows > 0 ? (
        <div className="py-1">
          {Array.from({ length: rows }, (_, i) => (
            <div key={i} className="relative h-[26px]">
              {def.inputs[i] ? (
                <Handle type="target" id={def.inputs[i].name} position={Position.Left} isConnectable={false} className="conveyor-handle invisible" />
              ) : null}
              {def.outputs[i] ? (
                <Handle type="source" id={def.outputs[i].name} position={Position.Right} isConnectable={false} className="conveyor-handle invisible" />
              ) : null}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** The card; `compact` (medium zoom) leaves out the text too small to read: port labels, group and id. */
function NodeCard({ id, data, selected, compact }: NodeProps<PipelineNode> & { compact: boolean }) {
  const { readOnly, errorsByNode, runStateByNode, diffByNode } = useCanvasContext();
  const dragging = useDragging();
  const def = resolveNodeType(data.type, data.version);
  // A node pinned to an older version of its type shows that version on its card.
  const newer = upgradeTarget(data);
  const errors = errorsByNode.get(id) ?? [];
  const run = runStateByNode?.get(id);
  const rows = Math.max(def?.inputs.length ?? 0, def?.outputs.length ?? 0);
  const status = run ? STATUS_STYLE[toStatus(run.status)] : undefined;
  const diff = diffByNode?.get(id);
  const look = cardLook({ group: def?.group, selected: !!selected, problems: errors.length > 0 && !readOnly, runStatusColor: status?.ring, diff, low: false });
  return (
    <div
      {...nodeAttributes(id, data, def?.label, run, diff, compact ? "medium" : "full")}
      className="rounded-lg bg-white"
      style={{ width: NODE_WIDTH, boxShadow: cardShadow(look), opacity: look.opacity < 1 ? look.opacity : undefined }}
    >
      <div style={{ height: CARD.header }} className={`flex items-start gap-2 overflow-hidden border-b border-slate-100 pb-2 pl-[13px] pr-3 pt-2.5`}>
        <div className="min-w-0 flex-1">
          <div className="truncate text-[13px] font-semibold leading-5 text-slate-800" title={def?.description}>
            {data.label || def?.label || data.type}
          </div>
          <div className="flex items-center gap-1.5 text-[10.5px] leading-4">
            {compact && !diff && !run ? null : diff ? (
              <span className={`rounded px-1 font-semibold uppercase tracking-wide ${DIFF_STYLE[diff].badge}`}>{diff}</span>
            ) : run ? (
              <span className="flex shrink-0 items-center gap-1 font-semibold" data-testid={`node-status-${id}`}>
                <span className={`h-1.5 w-1.5 rounded-full ${status?.dot ?? ""}`} />
                <span style={{ color: status?.ring }}>{run.status}</span>
                {run.cached ? <span className="rounded bg-violet-50 px-1 font-medium text-violet-600">cached</span> : null}
              </span>
            ) : (
              <span className={`font-semibold uppercase tracking-wide ${def ? "" : "text-slate-500"}`} style={def ? { color: look.stripe } : undefined}>
                {look.groupLabel}
              </span>
            )}
            {newer && def ? (
              <span
                data-testid={`node-version-${id}`}
                title={`${def.type} v${def.version}; v${newer.version} is the newest (upgrade in the node's settings)`}
                className="shrink-0 rounded bg-amber-50 px-1 font-mono font-semibold text-amber-700"
              >
                v{def.version}
              </span>
            ) : null}
            {compact ? null : (
              <>
                <span className="text-slate-300">·</span>
                <span className="truncate font-mono text-slate-400">{id}</span>
              </>
            )}
          </div>
        </div>
        {errors.length && !readOnly ? (
          <span
            data-testid={`node-problems-${id}`}
            title={errors.map(describeProblem).join("\n")}
            className="mt-0.5 inline-flex h-5 min-w-5 items-center justify-center rounded-full bg-rose-500 px-1.5 text-[11px] font-semibold text-white"
          >
            {errors.length}
          </span>
        ) : null}
      </div>
      {!def ? (
        <div className="px-3 py-2 text-[11px] text-rose-600">Unknown node type “{data.type}”</div>
      ) : rows > 0 ? (
        <div className="py-1">
          {Array.from({ length: rows }, (_, i) => (
            <PortRow key={i} nodeId={id} input={def.inputs[i]} output={def.outputs[i]} readOnly={readOnly} dragging={dragging} compact={compact} />
          ))}
        </div>
      ) : null}
    </div>
  );
}

export const PipelineNodeComponent = memo(PipelineNodeView);
export const NODE_TYPES = { pipeline: PipelineNodeComponent, note: NoteNodeComponent };
