import { describe, expect, it } from "vitest";
import { canRedo, canUndo, createHistory, record, redo, seal, undo } from "./history";

describe("history", () => {
  it("undoes and redoes in order", () => {
    let h = createHistory<number>();
    let cur = 0;
    for (const next of [1, 2, 3]) {
      h = record(h, cur, { now: next * 10_000 });
      cur = next;
    }
    expect(canUndo(h)).toBe(true);
    expect(canRedo(h)).toBe(false);
    const u1 = undo(h, cur)!;
    expect(u1.state).toBe(2);
    const u2 = undo(u1.history, u1.state)!;
    expect(u2.state).toBe(1);
    expect(canRedo(u2.history)).toBe(true);
    const r1 = redo(u2.history, u2.state)!;
    expect(r1.state).toBe(2);
    const r2 = redo(r1.history, r1.state)!;
    expect(r2.state).toBe(3);
    expect(redo(r2.history, r2.state)).toBeUndefined();
    expect(r2.history.past).toEqual([0, 1, 2]);
  });

  it("returns undefined with nothing to undo", () => {
    expect(undo(createHistory<string>(), "x")).toBeUndefined();
    expect(redo(createHistory<string>(), "x")).toBeUndefined();
  });

  it("a new change after undo drops the redo stack", () => {
    let h = record(createHistory<string>(), "a", { now: 0 });
    const u = undo(h, "b")!;
    expect(canRedo(u.history)).toBe(true);
    h = record(u.history, "a", { now: 10_000 });
    expect(canRedo(h)).toBe(false);
    expect(h.past).toEqual(["a"]);
  });

  it("coalesces changes with the same key inside the window", () => {
    let h = createHistory<string>({ coalesceMs: 1000 });
    h = record(h, "", { key: "config:train:target", now: 0 });
    h = record(h, "m", { key: "config:train:target", now: 400 });
    h = record(h, "me", { key: "config:train:target", now: 800 });
    h = record(h, "med", { key: "config:train:target", now: 1700 }); // within 1s of the last keystroke
    expect(h.past).toEqual([""]);
    // A pause longer than the window starts a new entry.
    h = record(h, "medv", { key: "config:train:target", now: 5000 });
    expect(h.past).toEqual(["", "medv"]);
    // Another key starts a new entry; so does an unkeyed change.
    h = record(h, "x", { key: "config:train:other", now: 5100 });
    h = record(h, "y", { now: 5200 });
    h = record(h, "z", { now: 5300 });
    expect(h.past).toEqual(["", "medv", "x", "y", "z"]);
  });

  it("undo and seal end coalescing", () => {
    let h = record(createHistory<string>(), "a", { key: "k", now: 0 });
    h = seal(h);
    h = record(h, "b", { key: "k", now: 1 });
    expect(h.past).toEqual(["a", "b"]);
    const u = undo(h, "c")!;
    const h2 = record(u.history, "b", { key: "k", now: 2 });
    expect(h2.past).toEqual(["a", "b"]);
  });

  it("keeps at most `capacity` entries, dropping the oldest", () => {
    let h = createHistory<number>({ capacity: 3 });
    for (let i = 0; i < 10; i++) h = record(h, i, { now: i });
    expect(h.past).toEqual([7, 8, 9]);
  });

  it("never mutates its input", () => {
    const h = record(createHistory<number>(), 1, { now: 0 });
    const frozen = Object.freeze({ ...h, past: Object.freeze([...h.past]), future: Object.freeze([...h.future]) });
    expect(() => record(frozen, 2, { now: 1 })).not.toThrow();
    expect(() => undo(frozen, 2)).not.toThrow();
    expect(frozen.past).toEqual([1]);
  });
});
