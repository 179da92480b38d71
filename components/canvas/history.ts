/**
 * Undo/redo history of the editor: a pure, immutable stack of snapshots.
 *
 * The editor calls `record(history, before, …)` with the state as it was
 * *before* an undoable change. Changes that carry the same coalescing key
 * within `coalesceMs` of each other (typing in one config field, one drag,
 * the node and edge removals of one Delete) share one entry. No React here,
 * so it is unit-tested on its own.
 */

export interface History<T> {
  /** Older states, oldest first. */
  readonly past: readonly T[];
  /** States undone, the next redo last. */
  readonly future: readonly T[];
  readonly capacity: number;
  readonly coalesceMs: number;
  /** Key and time of the last recorded change, for coalescing. */
  readonly lastKey: string | null;
  readonly lastAt: number;
}

export const DEFAULT_CAPACITY = 100;
export const DEFAULT_COALESCE_MS = 1500;

export function createHistory<T>(options: { capacity?: number; coalesceMs?: number } = {}): History<T> {
  return {
    past: [],
    future: [],
    capacity: Math.max(1, options.capacity ?? DEFAULT_CAPACITY),
    coalesceMs: options.coalesceMs ?? DEFAULT_COALESCE_MS,
    lastKey: null,
    lastAt: Number.NEGATIVE_INFINITY,
  };
}

/**
 * Records `before` as an undo step. With a `key` equal to the previous
 * change's key within the coalescing window, nothing is pushed: the change
 * joins the entry that is already there. Any new change clears redo.
 */
export function record<T>(h: History<T>, before: T, options: { key?: string; now?: number } = {}): History<T> {
  const now = options.now ?? Date.now();
  const key = options.key ?? null;
  if (key !== null && key === h.lastKey && now - h.lastAt <= h.coalesceMs) {
    return { ...h, future: [], lastAt: now };
  }
  const past = [...h.past, before];
  return { ...h, past: past.length > h.capacity ? past.slice(past.length - h.capacity) : past, future: [], lastKey: key, lastAt: now };
}

/** Ends coalescing: the next change starts a new entry whatever its key. */
export function seal<T>(h: History<T>): History<T> {
  return h.lastKey === null ? h : { ...h, lastKey: null };
}

export function canUndo(h: History<unknown>): boolean {
  return h.past.length > 0;
}

export function canRedo(h: History<unknown>): boolean {
  return h.future.length > 0;
}

/** Steps back: returns the state to show and the history with `current` on the redo stack; undefined when there is nothing to undo. */
export function undo<T>(h: History<T>, current: T): { history: History<T>; state: T } | undefined {
  const state = h.past[h.past.length - 1];
  if (state === undefined || h.past.length === 0) return undefined;
  return { state, history: { ...h, past: h.past.slice(0, -1), future: [...h.future, current], lastKey: null } };
}

/** Steps forward again; undefined when there is nothing to redo. */
export function redo<T>(h: History<T>, current: T): { history: History<T>; state: T } | undefined {
  const state = h.future[h.future.length - 1];
  if (state === undefined || h.future.length === 0) return undefined;
  return { state, history: { ...h, past: [...h.past, current], future: h.future.slice(0, -1), lastKey: null } };
}
