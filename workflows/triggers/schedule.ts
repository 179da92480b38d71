/** `schedule`: runs the latest saved version at the times of a cron expression, in a time zone. */
import { CronExpressionParser } from "cron-parser";
import cronstrue from "cronstrue";
import { z } from "zod";
import { defineTrigger, type TriggerProblem } from "./types";

const MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

export const scheduleTrigger = defineTrigger({
  type: "schedule",
  label: "Schedule",
  summary:
    "Runs the latest saved version at the times of a cron expression in a time zone (a Temporal Schedule; a fire is skipped while the previous run is still going)",
  schema: z.object({
    cron: z
      .string()
      .trim()
      .min(1, "cron is required")
      .max(200)
      .describe('When to run: a 5-field cron expression ("0 2 * * *" = every day at 02:00) or @daily, @hourly, …'),
    timezone: z.string().trim().min(1).max(64).default("UTC").describe('IANA time zone of the cron expression, e.g. "Europe/Berlin"'),
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe("Values for the pipeline's params on every scheduled run"),
  }),
  check: (t) => [...checkCron(t.cron), ...checkTimezone(t.timezone)],
  describe: (t) => `${lowerFirst(describeCron(t.cron))} (${t.timezone})`,
});

export function checkCron(cron: string): TriggerProblem[] {
  const trimmed = cron.trim();
  if (!MACROS.includes(trimmed) && trimmed.split(/\s+/).length !== 5) {
    return [
      {
        field: "cron",
        message: `"${cron}" is not a cron expression: use 5 fields (minute hour day-of-month month day-of-week) or one of ${MACROS.join(", ")}`,
      },
    ];
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: "UTC" });
    return [];
  } catch (e) {
    return [{ field: "cron", message: `"${cron}" is not a valid cron expression: ${e instanceof Error ? e.message : String(e)}` }];
  }
}

export function checkTimezone(timezone: string): TriggerProblem[] {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return [];
  } catch {
    return [{ field: "timezone", message: `"${timezone}" is not a time zone: use an IANA name such as "Europe/Berlin" or "UTC"` }];
  }
}

function describeCron(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: true });
  } catch {
    return cron;
  }
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The next `count` fire times after `from` (empty when the expression or zone is invalid). */
export function nextFireTimes(t: { cron: string; timezone: string }, count = 5, from = new Date()): Date[] {
  if (checkCron(t.cron).length || checkTimezone(t.timezone).length) return [];
  const it = CronExpressionParser.parse(t.cron.trim(), { tz: t.timezone, currentDate: from });
  return Array.from({ length: count }, () => it.next().toDate());
}
