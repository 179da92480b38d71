/**
 * Options of the GBDT trainer (`train.gbdt@1` config, docs/spec.md) and their
 * defaults. The node's zod schema validates user input; this module is the
 * trainer's own guard, so a direct caller gets a DataError, never a NaN model.
 */
import { DataError, type Task } from "../types";

export interface GbdtOptions {
  task: Task;
  target: string;
  /** Feature columns; default every column but the target. */
  features?: string[];
  nTrees?: number;
  maxDepth?: number;
  learningRate?: number;
  /** L2 regularisation of leaf weights (XGBoost's `lambda`). */
  l2?: number;
  /** Minimum sum of hessians in a child (XGBoost's `min_child_weight`). */
  minChildWeight?: number;
  /** Fraction of rows drawn (Bernoulli, seeded) for each tree. */
  subsample?: number;
  /** Fraction of feature columns drawn (seeded) for each tree. */
  colsampleByTree?: number;
  /** At most this many bins per feature, 2…256 (missing values get a bin of their own). */
  maxBins?: number;
  /** Stop when the validation loss has not improved for this many rounds; null/undefined = off. */
  earlyStoppingRounds?: number | null;
  /** Fraction of rows held out (seeded) for early stopping; used only when it is on. Default 0.1. */
  validationFraction?: number;
  seed?: number;
  /** Most distinct classes a classification target may have (default 100). */
  maxClasses?: number;
}

export type ResolvedGbdtOptions = Required<Omit<GbdtOptions, "features" | "earlyStoppingRounds">> & {
  features: string[] | undefined;
  earlyStoppingRounds: number | null;
};

export const GBDT_DEFAULTS = {
  nTrees: 200,
  maxDepth: 6,
  learningRate: 0.1,
  l2: 1.0,
  minChildWeight: 1.0,
  subsample: 1.0,
  colsampleByTree: 1.0,
  maxBins: 256,
  validationFraction: 0.1,
  seed: 42,
  maxClasses: 100,
} as const;

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new DataError(`${field} ${message}`, field);
}

const isInt = (x: number) => Number.isInteger(x);

export function resolveOptions(opts: GbdtOptions): ResolvedGbdtOptions {
  const r: ResolvedGbdtOptions = {
    task: opts.task,
    target: opts.target,
    features: opts.features,
    nTrees: opts.nTrees ?? GBDT_DEFAULTS.nTrees,
    maxDepth: opts.maxDepth ?? GBDT_DEFAULTS.maxDepth,
    learningRate: opts.learningRate ?? GBDT_DEFAULTS.learningRate,
    l2: opts.l2 ?? GBDT_DEFAULTS.l2,
    minChildWeight: opts.minChildWeight ?? GBDT_DEFAULTS.minChildWeight,
    subsample: opts.subsample ?? GBDT_DEFAULTS.subsample,
    colsampleByTree: opts.colsampleByTree ?? GBDT_DEFAULTS.colsampleByTree,
    maxBins: opts.maxBins ?? GBDT_DEFAULTS.maxBins,
    earlyStoppingRounds: opts.earlyStoppingRounds ?? null,
    validationFraction: opts.validationFraction ?? GBDT_DEFAULTS.validationFraction,
    seed: opts.seed ?? GBDT_DEFAULTS.seed,
    maxClasses: opts.maxClasses ?? GBDT_DEFAULTS.maxClasses,
  };
  check(r.task === "regression" || r.task === "classification", "task", 'must be "regression" or "classification".');
  check(typeof r.target === "string" && r.target.length > 0, "target", "must name a column.");
  check(isInt(r.nTrees) && r.nTrees >= 1 && r.nTrees <= 100_000, "nTrees", "must be an integer from 1 to 100000.");
  check(isInt(r.maxDepth) && r.maxDepth >= 1 && r.maxDepth <= 16, "maxDepth", "must be an integer from 1 to 16.");
  check(r.learningRate > 0 && r.learningRate <= 1, "learningRate", "must be in (0, 1].");
  check(r.l2 >= 0 && Number.isFinite(r.l2), "l2", "must be ≥ 0.");
  check(r.minChildWeight >= 0 && Number.isFinite(r.minChildWeight), "minChildWeight", "must be ≥ 0.");
  check(r.subsample > 0 && r.subsample <= 1, "subsample", "must be in (0, 1].");
  check(r.colsampleByTree > 0 && r.colsampleByTree <= 1, "colsampleByTree", "must be in (0, 1].");
  check(isInt(r.maxBins) && r.maxBins >= 2 && r.maxBins <= 256, "maxBins", "must be an integer from 2 to 256.");
  check(r.earlyStoppingRounds === null || (isInt(r.earlyStoppingRounds) && r.earlyStoppingRounds >= 1), "earlyStoppingRounds", "must be a positive integer (or off).");
  check(r.validationFraction > 0 && r.validationFraction < 1, "validationFraction", "must be in (0, 1).");
  check(isInt(r.seed), "seed", "must be an integer.");
  check(isInt(r.maxClasses) && r.maxClasses >= 2, "maxClasses", "must be an integer ≥ 2.");
  return r;
}
