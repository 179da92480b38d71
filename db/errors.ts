/**
 * A failed drizzle query is a DrizzleQueryError whose message is the SQL and
 * its parameters ("Failed query: … params: …"); what went wrong (a refused
 * connection, a PostgresError) is its cause. People never see the SQL.
 */
import { DrizzleQueryError } from "drizzle-orm/errors";

export function isQueryError(err: unknown): err is Error & { cause?: unknown } {
  return err instanceof DrizzleQueryError || (err instanceof Error && err.message.startsWith("Failed query:"));
}
