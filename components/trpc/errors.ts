/**
 * An API error as a person reads it next to the action that failed: what
 * kind of refusal (the HTTP status and its meaning), the server's message,
 * and the fields it names — from the service's problem details, or from the
 * input schema's issues (tRPC sends those as a JSON list in the message).
 * Pure.
 */
import { TRPCClientError } from "@trpc/client";

export interface DescribedError {
  /** e.g. "Conflict (409)". */
  title: string;
  message: string;
  fields: Array<{ field: string; message: string }>;
}

const MEANING: Record<number, string> = {
  400: "Bad request",
  401: "Not signed in",
  403: "Not allowed",
  404: "Not found",
  409: "Conflict",
  413: "Too large",
  415: "Unsupported media type",
  422: "Refused",
  503: "Unavailable",
};

type Issue = { path?: Array<string | number>; message?: string };

function schemaIssues(message: string): Issue[] | null {
  const t = message.trim();
  if (!t.startsWith("[")) return null;
  try {
    const parsed = JSON.parse(t) as unknown;
    return Array.isArray(parsed) && parsed.every((i) => i && typeof i === "object" && typeof (i as Issue).message === "string") ? (parsed as Issue[]) : null;
  } catch {
    return null;
  }
}

export function describeError(e: unknown): DescribedError {
  if (e instanceof TRPCClientError) {
    const data = (e.data ?? {}) as { httpStatus?: number; details?: Array<{ field?: string | null; nodeId?: string | null; message: string }> };
    const status = data.httpStatus;
    const title = status ? `${MEANING[status] ?? "Failed"} (${status})` : "Failed";
    const issues = schemaIssues(e.message);
    if (issues) {
      const fields = issues.map((i) => ({ field: (i.path ?? []).join(".") || "input", message: i.message ?? "" }));
      return { title, message: `the request was refused: ${fields.length === 1 ? "1 field needs" : `${fields.length} fields need`} a fix`, fields };
    }
    const fields = (data.details ?? [])
      .filter((d) => d.field || d.nodeId)
      .map((d) => ({ field: [d.nodeId, d.field].filter(Boolean).join("."), message: d.message }));
    return { title, message: e.message, fields };
  }
  if (e instanceof Error) return { title: "Failed", message: e.message, fields: [] };
  return { title: "Failed", message: typeof e === "string" ? e : JSON.stringify(e), fields: [] };
}
