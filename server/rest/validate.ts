/**
 * Request checks that run before any parsing can recurse or any value reaches
 * PostgreSQL: JSON nesting depth (a 10,000-deep spec once overflowed the
 * stack), NUL characters (PostgreSQL text and jsonb cannot hold \u0000), and
 * zod issues turned into problems with field paths.
 */
import type { z } from "zod";
import type { Problem } from "../../contract/api/common";

/** True when the JSON text nests arrays/objects deeper than `max` (strings are skipped; no recursion). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/**
 * The dotted path of the first key or string value containing NUL, or null.
 * Paths start at `prefix` (a field name, or "" when `value` is the whole
 * body: then the value itself is "").
 */
export function findNul(value: unknown, prefix = ""): string | null {
  const stack: Array<[unknown, string]> = [[value, prefix]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    } else if (v && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        if (k.includes("\u0000")) return p;
        stack.push([item, p]);
      }
    }
  }
  return null;
}

/** zod issues as problems: `field` is the dotted path (`params.month`, `nodes[2].id`). */
export function zodProblems(error: z.ZodError): Problem[] {
  return error.issues.map((i) => ({
    nodeId: null,
    field: i.path.length ? i.path.map((p, k) => (typeof p === "number" ? `[${p}]` : k ? `.${String(p)}` : String(p))).join("") : null,
    message: i.message,
  }));
}
