/**
 * Options of the GBDT trainer (`train.gbdt` config, docs/spec.md): every
 * limit, default and help text is defined once, in `ZGbdtOptions`. The node's
 * config schema is built from it (workflows/nodes/train.gbdt), the trainer's
 * own guard (`resolveOptions`) parses with it, so a direct caller gets the
 * same DataError naming the field, never a NaN model; the test arbitraries
 * read their ranges from it too.
 */
import { z } from "zod";
import { DataError, type Task } from "../types";

const int = (field: string) => z.number({ error: `${field} must be a number` }).int(`${field} must be a whole number`);
const num = (field: string) => z.number({ error: `${field} must be a number` });

export const ZGbdtOptions = z.object({
  nTrees: int("nTrees").min(1, "nTrees must be ≥ 1").max(5000, "nTrees must be ≤ 5000").default(200).describe("Boosting rounds"),
  maxDepth: int("maxDepth").min(1, "maxDepth must be ≥ 1").max(16, "maxDepth must be ≤ 16").default(6).describe("Depth of each tree"),
  learningRate: num("learningRate").gt(0, "learningRate must be > 0").max(1, "learningRate must be ≤ 1").default(0.1).describe("Shrinkage per tree"),
  /** L2 regularisation of leaf weights (XGBoost's `lambda`). */
  l2: num("l2").min(0, "l2 must be ≥ 0").default(1.0).describe("L2 regularisation of leaf weights"),
  /** Minimum sum of hessians in a child (XGBoost's `min_child_weight`). */
  minChildWeight: num("minChildWeight").min(0, "minChildWeight must be ≥ 0").default(1.0).describe("Minimum hessian sum in a leaf"),
  /** Fraction of rows drawn (Bernoulli, seeded) for each tree. */
  subsample: num("subsample").gt(0, "subsample must be > 0").max(1, "subsample must be ≤ 1").default(1.0).describe("Share of rows drawn per tree"),
  /** Fraction of feature columns drawn (seeded) for each tree. */
  colsampleByTree: num("colsampleByTree")
    .gt(0, "colsampleByTree must be > 0")
    .max(1, "colsampleByTree must be ≤ 1")
    .default(1.0)
    .describe("Share of columns drawn per tree"),
  /** Missing values get a bin of their own. */
  maxBins: int("maxBins").min(2, "maxBins must be ≥ 2").max(256, "maxBins must be ≤ 256").default(256).describe("Histogram bins per feature"),
  earlyStoppingRounds: int("earlyStoppingRounds")
    .min(1, "earlyStoppingRounds must be ≥ 1")
    .optional()
    .describe("Stop when the validation loss has not improved for this many rounds (off when empty)"),
  /** Rows held out (seeded) for early stopping; used only when it is on. Not a node setting. */
  validationFraction: num("validationFraction")
    .gt(0, "validationFraction must be > 0")
    .lt(1, "validationFraction must be < 1")
    .default(0.1)
    .describe("Share of rows held out for early stopping"),
  seed: int("seed").default(42).describe("Random seed (subsampling, validation split)"),
  /** Most distinct classes a classification target may have. Not a node setting. */
  maxClasses: int("maxClasses").min(2, "maxClasses must be ≥ 2").default(100).describe("Most distinct classes of a classification target"),
});

/** The options train.gbdt's config offers (the rest are the trainer's own). */
export const GBDT_NODE_OPTIONS = [
  "nTrees",
  "maxDepth",
  "learningRate",
  "l2",
  "minChildWeight",
  "subsample",
  "colsampleByTree",
  "maxBins",
  "earlyStoppingRounds",
  "seed",
] as const;

export type GbdtOptions = {
  task: Task;
  target: string;
  /** Feature columns; default every column but the target. */
  features?: string[];
} & Partial<Omit<z.input<typeof ZGbdtOptions>, "earlyStoppingRounds">> & {
    /** Stop when the validation loss has not improved for this many rounds; null/undefined = off. */
    earlyStoppingRounds?: number | null;
  };

export type ResolvedGbdtOptions = Omit<z.output<typeof ZGbdtOptions>, "earlyStoppingRounds"> & {
  task: Task;
  target: string;
  features: string[] | undefined;
  earlyStoppingRounds: number | null;
};

/** The defaults, read from the schema. */
export const GBDT_DEFAULTS = ZGbdtOptions.parse({});

/** The trainer's guard: defaults applied, every limit checked; a DataError names the first bad field. */
export function resolveOptions(opts: GbdtOptions): ResolvedGbdtOptions {
  if (opts.task !== "regression" && opts.task !== "classification") throw new DataError('task must be "regression" or "classification".', "task");
  if (typeof opts.target !== "string" || opts.target.length === 0) throw new DataError("target must name a column.", "target");
  const { task, target, features, earlyStoppingRounds, ...rest } = opts;
  const parsed = ZGbdtOptions.safeParse({ ...rest, earlyStoppingRounds: earlyStoppingRounds ?? undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? "");
    throw new DataError(issue.code === "unrecognized_keys" ? `unknown option ${issue.keys.join(", ")}` : issue.message, field);
  }
  return { ...parsed.data, task, target, features, earlyStoppingRounds: parsed.data.earlyStoppingRounds ?? null };
}
