/**
 * A training job as the training thread runs it (workflows/ml/train-thread.ts):
 * which trainer, its options, and what comes back — everything but the
 * TypeScript `predict` function, so it crosses a thread boundary, but with the
 * model's reference profile (workflows/ml/drift/profile.ts), computed here
 * with that `predict`. `runTrainJob` is the same work in-process (tests, and
 * the thread's own body).
 */
import type { ReferenceProfile } from "../../contract/monitoring";
import { referenceProfile } from "./drift/profile";
import { trainGbdt, type FeatureImportance, type GbdtOptions } from "./gbdt";
import { trainLinear, type TrainLinearOptions } from "./linear/train-linear";
import type { Frame, TrainedModel, TrainHooks, TrainProgress } from "./types";

export type TrainJob = { trainer: "gbdt"; options: GbdtOptions } | { trainer: "linear"; options: TrainLinearOptions };

/** A trained model without its `predict` function: structured-cloneable. */
export interface TrainedModelData extends Omit<TrainedModel, "predict"> {
  /** GBDT: gain-based importance, largest first. */
  featureImportance?: FeatureImportance[];
  /** The reference profile for drift monitoring: the training rows' inputs and the model's predictions on them. */
  profile: ReferenceProfile;
}

/** Training frames larger than this are profiled on this many evenly spaced rows. */
export const PROFILE_MAX_ROWS = 200_000;

/** Every row when there are at most `max`, else `max` evenly spaced ones (row ⌊k·rows/max⌋): deterministic. */
export function evenlySpacedRows(frame: Frame, max = PROFILE_MAX_ROWS): Frame {
  if (frame.rows <= max) return frame;
  const pick = new Uint32Array(max);
  for (let k = 0; k < max; k++) pick[k] = Math.floor((k * frame.rows) / max);
  return {
    rows: max,
    columns: frame.columns.map((c) =>
      c.kind === "number" ? { ...c, values: Float64Array.from(pick, (i) => c.values[i]!) } : { ...c, values: Array.from(pick, (i) => c.values[i]!) },
    ),
  };
}

/** Progress as the thread reports it: the trainer's, plus an estimate of the time left in the training phase. */
export interface ReportedProgress extends TrainProgress {
  etaSeconds?: number;
}

export function runTrainJob(frame: Frame, job: TrainJob, hooks: TrainHooks = {}): TrainedModelData {
  const m = job.trainer === "gbdt" ? trainGbdt(frame, job.options, hooks) : trainLinear(frame, job.options, hooks);
  const rows = evenlySpacedRows(frame);
  const profile = referenceProfile(rows, m.inputs, m.predict(rows));
  return {
    task: m.task,
    target: m.target,
    onnx: m.onnx,
    inputs: m.inputs,
    outputs: m.outputs,
    ...(m.classes ? { classes: m.classes } : {}),
    params: m.params,
    series: m.series,
    notes: m.notes,
    ...("featureImportance" in m ? { featureImportance: m.featureImportance } : {}),
    profile,
  };
}

/**
 * Passes progress on at most once per `minIntervalMs` (phase changes always,
 * after the previous phase's last report if it was held back), with an
 * estimate of the seconds left: the rate so far in this training phase times
 * the iterations to go.
 */
export class ProgressThrottle {
  private lastPost = -Infinity;
  private lastPhase: string | undefined;
  private start: { t: number; iteration: number } | undefined;
  private held: ReportedProgress | undefined;

  constructor(
    private readonly post: (p: ReportedProgress) => void,
    private readonly minIntervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  report(p: TrainProgress): void {
    const t = this.now();
    const phaseChanged = p.phase !== this.lastPhase;
    if (phaseChanged) {
      if (this.held) this.post(this.held);
      this.lastPhase = p.phase;
      this.start = undefined;
    }
    if (p.iteration !== undefined) this.start ??= { t, iteration: p.iteration };
    const out: ReportedProgress = { ...p };
    if (this.start && p.iteration !== undefined && p.total !== undefined && p.iteration > this.start.iteration) {
      const perIteration = (t - this.start.t) / (p.iteration - this.start.iteration);
      out.etaSeconds = Math.round((perIteration * (p.total - p.iteration)) / 100) / 10;
    }
    if (!phaseChanged && p.iteration !== p.total && t - this.lastPost < this.minIntervalMs) {
      this.held = out;
      return;
    }
    this.held = undefined;
    this.lastPost = t;
    this.post(out);
  }
}
