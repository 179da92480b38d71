/**
 * A registered model's public shape (what the registry stores, the serving
 * process loads, the browser previews and the API returns): its inputs and
 * outputs (the model I/O contract of docs/spec.md) and the manifest stored
 * beside every model.onnx, enough to serve, preview and reproduce the model.
 */
import { z } from "zod";

export const ZTask = z.enum(["regression", "classification"]);
export type Task = z.infer<typeof ZTask>;

/** One model input: a raw feature column, named as the column, shape [-1, 1]. */
export const ZModelInput = z
  .object({
    name: z.string().describe("The feature column's name, as in the training data"),
    /** FP32 for numeric columns, BYTES (ONNX STRING) for categorical ones. */
    datatype: z.enum(["FP32", "BYTES"]).describe("FP32 for a numeric column, BYTES (ONNX STRING) for a text column"),
    shape: z.tuple([z.literal(-1), z.literal(1)]).describe("[-1, 1]: one value per row"),
  })
  .meta({
    id: "ModelInput",
    description: "One input per feature column: raw values; the preprocessing (scaling, one-hot encoding, missing values) is inside the ONNX graph",
  });
export type ModelInput = z.infer<typeof ZModelInput>;

export const ZModelOutput = z
  .object({
    name: z
      .enum(["prediction", "label", "probabilities"])
      .describe(
        "Regression: prediction (FP32, [-1, 1]). Classification: label (BYTES, [-1]) and probabilities (FP32, [-1, K], one column per class in the manifest's `classes` order)",
      ),
    datatype: z.enum(["FP32", "BYTES", "INT64"]).describe("Tensor element type (KServe v2 names)"),
    shape: z.array(z.number().int()).describe("-1 is the number of rows"),
  })
  .meta({
    id: "ModelOutput",
    description: "What the model's ONNX graph returns, by task",
  });
export type ModelOutput = z.infer<typeof ZModelOutput>;

const ZScalar = z.union([z.number(), z.string(), z.null()]);

export const ZModelManifest = z
  .object({
    format: z.literal("onnx"),
    task: ZTask,
    target: z.string(),
    nodeType: z.string(),
    inputs: z.array(ZModelInput),
    outputs: z.array(ZModelOutput),
    classes: z.array(z.string()).optional(),
    /** One real training row (feature columns only): a starting point for preview forms. */
    example: z.record(z.string(), ZScalar).optional(),
    metrics: z.record(z.string(), z.number()),
    trainingData: z.object({ uri: z.string(), sha256: z.string(), rows: z.number().int() }),
    /** The reference profile for drift monitoring (profile.json beside model.onnx, contract/monitoring.ts); models trained before it have none. */
    profile: z.object({ uri: z.string(), sha256: z.string() }).optional(),
    pipeline: z.object({ id: z.string(), version: z.number().int(), nodeId: z.string() }),
    runId: z.string(),
    params: z.record(z.string(), z.unknown()),
    seed: z.number().nullable(),
    libraries: z.record(z.string(), z.string()),
  })
  .meta({ id: "ModelManifest" });
export type ModelManifest = z.infer<typeof ZModelManifest>;
