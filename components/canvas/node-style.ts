/** Colours of node groups (the left stripe and the group chip). */
import type { NodeGroup } from "../../workflows/nodes/types";

export const GROUP_STYLE: Record<NodeGroup, { stripe: string; chip: string; label: string }> = {
  ingest: { stripe: "#0ea5e9", chip: "bg-sky-50 text-sky-700", label: "Ingest" },
  feature: { stripe: "#14b8a6", chip: "bg-teal-50 text-teal-700", label: "Features" },
  train: { stripe: "#8b5cf6", chip: "bg-violet-50 text-violet-700", label: "Train" },
  evaluate: { stripe: "#f59e0b", chip: "bg-amber-50 text-amber-700", label: "Evaluate" },
  gate: { stripe: "#10b981", chip: "bg-emerald-50 text-emerald-700", label: "Gate" },
  deploy: { stripe: "#f43f5e", chip: "bg-rose-50 text-rose-700", label: "Deploy" },
};

export const NODE_WIDTH = 216;

/** The canvas's snap grid (flow units): a dragged node moves in these steps. */
export const SNAP_GRID: [number, number] = [10, 10];
