/**
 * Options of the linear trainer (`train.linear` config, docs/spec.md): each
 * limit, default and help text defined once, here. The node's config schema
 * is built from it, the trainer's guard parses with it (a DataError naming the
 * field), and the test arbitraries read their ranges from it.
 */
import { z } from "zod";

export const ZLinearOptions = z.object({
  /**
   * L2 penalty on the coefficients (not the intercept). Regression: Σ
   * residual² + l2·‖w‖². Classification: Σ cross-entropy + (l2/2)·‖W‖²
   * (scikit-learn's C = 1/l2).
   */
  l2: z.number({ error: "l2 must be a number" }).min(0, "l2 must be ≥ 0").default(1.0).describe("L2 regularisation strength"),
  /** Classification: the L-BFGS iteration cap. Not a node setting. */
  maxIterations: z
    .number({ error: "maxIterations must be a number" })
    .int("maxIterations must be a whole number")
    .min(1, "maxIterations must be ≥ 1")
    .default(1000)
    .describe("L-BFGS iteration cap (classification)"),
});
