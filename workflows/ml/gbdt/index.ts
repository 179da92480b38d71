/** Gradient-boosted trees (issue 4, `train.gbdt`): the pure trainer and its ONNX export. */
export { trainGbdt, type FeatureImportance, type GbdtTrainedModel } from "./train";
export { GBDT_DEFAULTS, resolveOptions, type GbdtOptions, type ResolvedGbdtOptions } from "./options";
export { exportOnnx, GBDT_EXPORT_VERSION } from "./onnx-export";
export { predictEnsemble, rawScores, type GbdtEnsemble } from "./model";
