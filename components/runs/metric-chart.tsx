/** A small line chart for a metric series (e.g. training loss per iteration). Plain SVG. */
import { formatNumber } from "../ui/format";

export interface SeriesPoint {
  step: number;
  value: number;
}

const W = 320;
const H = 120;
const PAD = { l: 44, r: 10, t: 10, b: 22 };

export function chartPath(points: readonly SeriesPoint[], w = W, h = H): string {
  if (points.length === 0) return "";
  const xs = points.map((p) => p.step);
  const ys = points.map((p) => p.value);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => PAD.l + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (w - PAD.l - PAD.r);
  const sy = (y: number) => PAD.t + (y1 === y0 ? 0.5 : 1 - (y - y0) / (y1 - y0)) * (h - PAD.t - PAD.b);
  return points.map((p) => `${sx(p.step).toFixed(1)},${sy(p.value).toFixed(1)}`).join(" ");
}

export function MetricChart({ name, points }: { name: string; points: readonly SeriesPoint[] }) {
  if (points.length === 0) return null;
  const ys = points.map((p) => p.value);
  const xs = points.map((p) => p.step);
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const last = points[points.length - 1]!;
  return (
    <figure className="rounded-md border border-slate-200 bg-white p-2.5" data-testid={`metric-chart-${name}`}>
      <figcaption className="mb-1 flex items-baseline justify-between text-[12px]">
        <span className="font-mono font-medium text-slate-700">{name}</span>
        <span className="text-slate-500">
          last <span className="font-mono text-slate-800">{formatNumber(last.value)}</span> · {points.length} points
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="h-auto w-full"
        role="img"
        aria-label={`${name} over ${points.length} iterations, from ${formatNumber(points[0]!.value)} to ${formatNumber(last.value)}`}
      >
        <line x1={PAD.l} x2={W - PAD.r} y1={H - PAD.b} y2={H - PAD.b} stroke="#e2e8f0" />
        <line x1={PAD.l} x2={PAD.l} y1={PAD.t} y2={H - PAD.b} stroke="#e2e8f0" />
        <line x1={PAD.l} x2={W - PAD.r} y1={PAD.t} y2={PAD.t} stroke="#f1f5f9" strokeDasharray="3 3" />
        <text x={PAD.l - 6} y={PAD.t + 4} textAnchor="end" className="fill-slate-400 text-[9px]">
          {formatNumber(y1, 3)}
        </text>
        <text x={PAD.l - 6} y={H - PAD.b} textAnchor="end" className="fill-slate-400 text-[9px]">
          {formatNumber(y0, 3)}
        </text>
        <text x={PAD.l} y={H - 6} className="fill-slate-400 text-[9px]">
          {Math.min(...xs)}
        </text>
        <text x={W - PAD.r} y={H - 6} textAnchor="end" className="fill-slate-400 text-[9px]">
          {Math.max(...xs)}
        </text>
        <polyline
          points={chartPath(points)}
          fill="none"
          stroke="#6366f1"
          strokeWidth={1.75}
          strokeLinejoin="round"
          strokeLinecap="round"
          vectorEffect="non-scaling-stroke"
        />
      </svg>
    </figure>
  );
}
