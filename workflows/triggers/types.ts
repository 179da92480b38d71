/**
 * A trigger type: how a pipeline starts itself (spec `triggers`). Declared
 * once, here-shaped, in workflows/triggers/<type>.ts: its zod schema (the
 * spec's contract), the checks that need more than the schema, and a
 * sentence for people. Universal code (browser, server, worker); what a
 * trigger does at run time is in server/services/triggers.
 */
import type { z } from "zod";

export interface TriggerProblem {
  /** Field inside the trigger, e.g. `cron`. */
  field: string;
  message: string;
}

export interface TriggerDefinition<S extends z.ZodObject = z.ZodObject, T extends string = string> {
  type: T;
  label: string;
  /** What the trigger does, for the docs and the editor. */
  summary: string;
  /** Fields besides `type`, with defaults and help text. */
  schema: S;
  /** Problems the schema cannot see (a cron expression, a time zone). */
  check?: (trigger: z.output<S>) => TriggerProblem[];
  /** One sentence: "at 02:00, every day (Europe/Berlin)". */
  describe: (trigger: z.output<S>) => string;
}

export function defineTrigger<S extends z.ZodObject, T extends string>(def: TriggerDefinition<S, T>): TriggerDefinition<S, T> {
  return def;
}
