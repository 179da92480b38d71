/**
 * Plain JS arrays of doubles for the trainer's per-row data (gradients,
 * scores, row ids, bin words) and histograms instead of typed arrays — a
 * measured choice for V8 (Node 20), not a style one.
 *
 * Once any ArrayBuffer in the process can be detached, V8 drops the
 * assumption that none ever is (its "array buffer detaching protector"), and
 * from then on every typed array access in optimized code reloads the
 * array's buffer, data pointer and length and tests the buffer's "detached"
 * bit: ~15 instructions instead of one. Loading protobufjs, which the ONNX
 * export needs, is enough (long.js instantiates a WebAssembly module), and so
 * is much else a worker process loads. An element of a plain array of
 * doubles is read and written with a bounds check and one instruction. On
 * the flights benchmark this alone took a third of the trainer's
 * instructions away.
 *
 * The arrays are built so V8 keeps them in one compact representation for
 * their whole life — unboxed doubles (PACKED_DOUBLE_ELEMENTS), never holey —
 * so the hot loops see one array shape and stay monomorphic. V8 keeps such
 * an array compact up to about 2^27 elements (1 GB); `MAX_ELEMENTS` is the
 * trainer's limit on rows × score columns.
 */

/** The most elements of one per-row array (rows × score columns), under V8's 2^27 cap. */
export const MAX_ELEMENTS = 2 ** 27 - 2 ** 20;

/** A plain array of unboxed doubles. */
export type Doubles = number[];

/** Something the loss functions can index: the trainer's `Doubles`, or a typed array. */
export interface Vec {
  [i: number]: number;
  readonly length: number;
}

/** `n` zeros as unboxed doubles. */
export function newDoubles(n: number): Doubles {
  const a: number[] = [];
  // A non-integer first element makes V8 pick the double representation.
  for (let i = 0; i < n; i++) a.push(0.5);
  a.fill(0);
  return a;
}

/** A copy of `v` as unboxed doubles (even when every value is an integer). */
export function toDoubles(v: ArrayLike<number>): Doubles {
  const a = newDoubles(v.length);
  for (let i = 0; i < v.length; i++) a[i] = v[i]!;
  return a;
}
