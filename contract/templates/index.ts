/** Pipelines every new install starts with (seeded into the local team). */
import bostonHousing from "./boston-housing.pipeline.json";

export const SEED_TEMPLATES: { spec: typeof bostonHousing; message: string }[] = [
  { spec: bostonHousing, message: "Sample pipeline on bundled Boston housing data" },
];
