/** Seeded synthetic data for the GBDT tests (not a test file itself). */
import type { Frame } from "../workflows/ml/types";
import { Rng } from "../workflows/ml/gbdt/rng";

const num = (name: string, values: ArrayLike<number>) => ({ name, kind: "number" as const, values: Float64Array.from(values) });
const str = (name: string, values: (string | null)[]) => ({ name, kind: "string" as const, values });

/** A seeded synthetic set: numeric, missing, categorical features; regression and class targets. */
export function synthetic(n: number, seed = 7): Frame {
  const rng = new Rng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const c: (string | null)[] = [];
  const y: number[] = [];
  const cls: string[] = [];
  const bin: string[] = [];
  for (let i = 0; i < n; i++) {
    const av = rng.next() * 10;
    const bv = rng.next() < 0.15 ? NaN : rng.next() * 5;
    const cv = ["red", "green", "blue", null][rng.int(4)]!;
    const yv = Math.sin(av) * 3 + (Number.isNaN(bv) ? 2 : bv) + (cv === "green" ? 4 : 0) + rng.next();
    a.push(av);
    b.push(bv);
    c.push(cv);
    y.push(yv);
    cls.push(yv < 2 ? "low" : yv < 5 ? "mid" : "high");
    bin.push(yv < 3.5 ? "no" : "yes");
  }
  return { rows: n, columns: [num("a", a), num("b", b), str("c", c), num("y", y), str("cls", cls), str("bin", bin)] };
}
