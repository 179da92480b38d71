import { classificationMetrics, regressionMetrics } from "./metrics";
export const a: Record<string, number> = classificationMetrics([], [], []);
export const b: Record<string, number> = regressionMetrics(new Float64Array(), new Float64Array());
