/**
 * A save or run that the server refuses with problems (422 with details: an
 * invalid spec, unknown params) is an answer for the editor to show by node
 * and field, not an exception: `{ ok: false, errors }`. Anything else throws.
 */
import { TRPCClientError } from "@trpc/client";
import type { Problem } from "../../contract/api/common";

export function problemsOf(e: unknown): Problem[] | null {
  if (!(e instanceof TRPCClientError)) return null;
  const data = e.data as { code?: string; details?: Problem[] } | undefined;
  return data?.code === "UNPROCESSABLE_CONTENT" && data.details?.length ? data.details : null;
}

export async function refusable<T extends object>(call: () => Promise<T>): Promise<({ ok: true } & T) | { ok: false; errors: Problem[] }> {
  try {
    return { ok: true, ...(await call()) };
  } catch (e) {
    const errors = problemsOf(e);
    if (errors) return { ok: false, errors };
    throw e;
  }
}
