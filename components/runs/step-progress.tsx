/**
 * A running step's progress: a bar (a share when the step counts iterations,
 * a pulse otherwise) and a line such as "tree 140 / 500 · about 12 s left".
 */
import { formatDuration } from "../ui/format";

export interface ProgressLike {
  phase: string;
  iteration?: number;
  total?: number;
  unit?: string;
  etaSeconds?: number;
}

/** "about 12 s", "about 2 m 05 s". */
function about(seconds: number): string {
  return `about ${seconds < 60 ? `${Math.max(1, Math.round(seconds))} s` : formatDuration(Math.round(seconds) * 1000)}`;
}

/** The progress in words (pure). */
export function progressText(p: ProgressLike): string {
  if (p.iteration === undefined || p.total === undefined) return p.phase;
  const count = `${p.unit ?? "iteration"} ${p.iteration.toLocaleString("en-US")} / ${p.total.toLocaleString("en-US")}`;
  return p.etaSeconds === undefined ? count : `${count} · ${about(p.etaSeconds)} left`;
}

/** Share done (0…1), or null when the step does not count iterations. */
export function progressShare(p: ProgressLike): number | null {
  if (p.iteration === undefined || !p.total) return null;
  return Math.min(1, Math.max(0, p.iteration / p.total));
}

export function StepProgressLine({ progress }: { progress: ProgressLike }) {
  const share = progressShare(progress);
  const text = progressText(progress);
  return (
    <span className="flex min-w-0 flex-1 items-center gap-2.5" data-testid="step-progress" title={text}>
      <span
        className="relative h-1.5 w-16 shrink-0 overflow-hidden rounded-full bg-sky-100 xl:w-32"
        role="progressbar"
        aria-label="step progress"
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={progress.iteration}
      >
        {share === null ? (
          <span className="absolute inset-0 animate-pulse rounded-full bg-sky-300" />
        ) : (
          <span
            className="absolute inset-y-0 left-0 rounded-full bg-sky-500 transition-[width] duration-500"
            style={{ width: `${(share * 100).toFixed(1)}%` }}
          />
        )}
      </span>
      <span className="min-w-0 truncate text-[12.5px] text-sky-800">{text}</span>
    </span>
  );
}
