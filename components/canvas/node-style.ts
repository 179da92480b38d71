/** How canvas cards look: group colours, the card box, state colours. */
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

/** How the diff view marks a node (added, removed, changed between two versions); `chip` is `badge` as colours, for the painter. */
export const DIFF_STYLE = {
  added: { ring: "ring-2 ring-emerald-500", color: "#10b981", badge: "bg-emerald-50 text-emerald-700", chip: { bg: "#ecfdf5", fg: "#047857" } },
  removed: { ring: "ring-2 ring-rose-500", color: "#f43f5e", badge: "bg-rose-50 text-rose-700", chip: { bg: "#fff1f2", fg: "#be123c" } },
  changed: { ring: "ring-2 ring-amber-500", color: "#f59e0b", badge: "bg-amber-50 text-amber-700", chip: { bg: "#fffbeb", fg: "#b45309" } },
} as const;

export type DiffMark = keyof typeof DIFF_STYLE;

/**
 * A card's box in flow units, shared by the DOM card (pipeline-node.tsx) and
 * the picture painted while the view moves (motion-painter.ts).
 */
export const CARD = {
  radius: 8,
  /** The group stripe on the card's left edge. */
  stripe: 3,
  /** Title and subtitle. */
  header: 55,
  padLeft: 13,
  padRight: 12,
  /** Padding above and below the port rows. */
  rowsPad: 4,
  row: 26,
  /** A port's diameter, white border included. */
  port: 12,
  /** Inset of a port's label from the card's edge. */
  portText: 14,
} as const;

const UNKNOWN_STRIPE = "#94a3b8";

/** Mixes a hex colour with white, `share` of the colour (as CSS color-mix in srgb). */
export function tint(hex: string, share: number): string {
  const v = parseInt(hex.slice(1), 16);
  const mix = (c: number) => Math.round(c * share + 255 * (1 - share));
  return `rgb(${mix(v >> 16)} ${mix((v >> 8) & 255)} ${mix(v & 255)})`;
}

export interface CardLook {
  fill: string;
  stripe: string;
  ring: string;
  ringWidth: number;
  opacity: number;
  groupLabel: string;
}

/**
 * A card's colours from its state: a diff mark wins over a run status, which
 * wins over selection, which wins over problems. Zoomed out (`low`), the
 * whole block is tinted instead of ringed.
 */
export function cardLook(o: {
  group: NodeGroup | undefined;
  selected: boolean;
  problems: boolean;
  runStatusColor: string | undefined;
  diff: DiffMark | undefined;
  low: boolean;
}): CardLook {
  const group = o.group ? GROUP_STYLE[o.group] : undefined;
  const stripe = group?.stripe ?? UNKNOWN_STRIPE;
  const groupLabel = group?.label ?? "unknown";
  if (o.low) {
    const fill = o.selected ? "#6366f1" : o.problems ? "#fda4af" : tint(o.runStatusColor ?? stripe, 0.3);
    return { fill, stripe, ring: o.diff ? DIFF_STYLE[o.diff].color : "transparent", ringWidth: o.diff ? 2 : 0, opacity: 1, groupLabel };
  }
  const [ring, ringWidth] = o.diff
    ? [DIFF_STYLE[o.diff].color, 2]
    : o.runStatusColor
      ? [o.runStatusColor, 2]
      : o.selected
        ? ["#6366f1", 2]
        : o.problems
          ? ["#fda4af", 1]
          : ["#e2e8f0", 1];
  return { fill: "#fff", stripe, ring, ringWidth, opacity: o.diff === "removed" ? 0.7 : 1, groupLabel };
}

/**
 * A card's stripe, ring and shadow as one box-shadow: plain offsets, no blur
 * and no one-sided border on a rounded box, which software rasterizers draw
 * as slow anti-aliased paths (it showed in the canvas benchmark).
 */
export function cardShadow(look: CardLook): string {
  return `inset ${CARD.stripe}px 0 0 ${look.stripe}, 0 0 0 ${look.ringWidth}px ${look.ring}, 0 1px 1px rgb(15 23 42 / 0.08)`;
}
