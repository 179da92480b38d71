"use client";
/**
 * The pipeline's triggers, in its settings panel: add a schedule, a webhook
 * or a dataset subscription; a schedule shows its cron in words and its next
 * five fire times as it is typed; once saved, the live state: a schedule's
 * pause (with a reason) and resume, the webhook's URL (the token in full only
 * right after it was made, with a copy button) and regenerate.
 */
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Param, SpecError, Trigger } from "../../workflows/spec/spec";
import { describeTrigger, ZTrigger } from "../../workflows/triggers/registry";
import { nextFireTimes } from "../../workflows/triggers/schedule";
import { Button } from "../ui/button";
import { TrashIcon } from "../ui/icons";
import { useTRPC } from "../trpc/trpc";
import { formatInZone } from "../ui/format";
import type { PipelineMeta } from "./graph-spec";

const input =
  "h-8 w-full rounded-md border border-slate-200 bg-white px-2.5 text-sm focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100 disabled:bg-slate-50";
const TIME_ZONES = ["UTC", ...(typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [])];

type Raw = Record<string, unknown> & { type: string };

export interface FreshWebhook {
  token: string;
  url: string;
}

/** The pipeline's settings panel's props (it shows the triggers section). */
export interface PipelineSettingsProps {
  meta: PipelineMeta;
  errors: readonly SpecError[];
  onMeta: (m: PipelineMeta) => void;
  readOnly: boolean;
  /** Set once the pipeline is saved: the live state of its triggers is shown. */
  pipelineId?: string;
  freshWebhook?: FreshWebhook | null;
  onFreshWebhook?: (w: FreshWebhook) => void;
}

export function TriggersSection({ meta, errors, onMeta, readOnly, pipelineId, freshWebhook, onFreshWebhook }: PipelineSettingsProps) {
  const triggers = (meta.triggers ?? []) as Raw[];
  const setTriggers = (next: Raw[]) => onMeta({ ...meta, triggers: next as PipelineMeta["triggers"] });
  const update = (i: number, patch: Record<string, unknown>) => setTriggers(triggers.map((t, k) => (k === i ? { ...t, ...patch } : t)));
  const trpc = useTRPC();
  const live = useQuery({
    ...trpc.triggers.list.queryOptions({ id: pipelineId ?? "" }),
    enabled: !!pipelineId && triggers.length > 0,
    refetchInterval: 15_000,
  });
  const hasWebhook = triggers.some((t) => t.type === "webhook");

  return (
    <section aria-label="Triggers" data-testid="triggers">
      <h3 className="mb-1.5 text-[12px] font-medium text-slate-700">Triggers</h3>
      {triggers.length === 0 ? <p className="text-[12px] text-slate-500">Runs start only when someone presses Run or calls the API.</p> : null}
      <ul className="space-y-2.5">
        {triggers.map((t, i) => {
          const problems = errors.filter((e) => !e.nodeId && e.field?.startsWith(`triggers[${i}]`));
          const state = live.data?.find((s) => s.index === i && s.trigger.type === t.type);
          return (
            <li key={i} data-testid={`trigger-${i}`} className="rounded-md border border-slate-200 px-3 py-2.5">
              <div className="mb-1.5 flex items-center justify-between">
                <span className="text-[11px] font-semibold uppercase tracking-wider text-slate-500">{t.type}</span>
                {readOnly ? null : (
                  <button
                    type="button"
                    aria-label={`Remove trigger ${i + 1}`}
                    className="text-slate-400 hover:text-rose-600"
                    onClick={() => setTriggers(triggers.filter((_, k) => k !== i))}
                  >
                    <TrashIcon />
                  </button>
                )}
              </div>
              {t.type === "schedule" ? (
                <ScheduleFields trigger={t} params={meta.params ?? []} readOnly={readOnly} onChange={(p) => update(i, p)} />
              ) : t.type === "dataset" ? (
                <DatasetField value={typeof t.dataset === "string" ? t.dataset : ""} readOnly={readOnly} onChange={(dataset) => update(i, { dataset })} />
              ) : t.type === "webhook" ? (
                <WebhookState
                  pipelineId={pipelineId}
                  hint={state?.webhook?.hint ?? null}
                  fresh={freshWebhook ?? null}
                  onFresh={onFreshWebhook}
                  readOnly={readOnly}
                />
              ) : null}
              <Words trigger={t} />
              {t.type === "schedule" && state?.schedule && pipelineId ? (
                <SchedulePause pipelineId={pipelineId} index={i} state={state.schedule} readOnly={readOnly} />
              ) : null}
              {problems.length ? (
                <ul className="mt-1.5 space-y-0.5 text-[12px] text-rose-700" data-testid={`trigger-${i}-problems`}>
                  {problems.map((p, k) => (
                    <li key={k}>{p.message}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          );
        })}
      </ul>
      {readOnly ? null : (
        <div className="mt-2 flex flex-wrap gap-1.5" role="group" aria-label="Add a trigger">
          <Button
            size="sm"
            className="whitespace-nowrap"
            onClick={() =>
              setTriggers([...triggers, { type: "schedule", cron: "0 2 * * *", timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" }])
            }
          >
            + Schedule
          </Button>
          <Button
            size="sm"
            className="whitespace-nowrap"
            disabled={hasWebhook}
            title={hasWebhook ? "A pipeline has one webhook" : undefined}
            onClick={() => setTriggers([...triggers, { type: "webhook" }])}
          >
            + Webhook
          </Button>
          <Button size="sm" className="whitespace-nowrap" onClick={() => setTriggers([...triggers, { type: "dataset", dataset: "" }])}>
            + Dataset
          </Button>
        </div>
      )}
    </section>
  );
}

/** The trigger in words, when it is valid so far. */
function Words({ trigger }: { trigger: Raw }) {
  const parsed = ZTrigger.safeParse(trigger);
  if (!parsed.success) return null;
  return (
    <p className="mt-1.5 text-[12px] text-slate-600" data-testid="trigger-words">
      Runs {describeTrigger(parsed.data)}
    </p>
  );
}

function ScheduleFields({
  trigger,
  params,
  readOnly,
  onChange,
}: {
  trigger: Raw;
  params: Param[] | PipelineMeta["params"];
  readOnly: boolean;
  onChange: (patch: Record<string, unknown>) => void;
}) {
  const cron = typeof trigger.cron === "string" ? trigger.cron : "";
  const timezone = typeof trigger.timezone === "string" ? trigger.timezone : "UTC";
  const values = (trigger.params ?? {}) as Record<string, unknown>;
  const next = useMemo(() => nextFireTimes({ cron, timezone }, 5), [cron, timezone]);
  return (
    <div className="space-y-2">
      <label className="block text-[11.5px] text-slate-600">
        Cron (minute hour day month weekday)
        <input
          aria-label="Cron"
          className={`${input} font-mono`}
          value={cron}
          disabled={readOnly}
          onChange={(e) => onChange({ cron: e.target.value })}
          placeholder="0 2 * * *"
        />
      </label>
      <label className="block text-[11.5px] text-slate-600">
        Time zone
        <input
          aria-label="Time zone"
          className={input}
          list="conveyor-time-zones"
          value={timezone}
          disabled={readOnly}
          onChange={(e) => onChange({ timezone: e.target.value })}
        />
      </label>
      <datalist id="conveyor-time-zones">
        {TIME_ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      {(params ?? []).map((p) => (
        <label key={p.name} className="block text-[11.5px] text-slate-600">
          Param <code>{p.name}</code>
          <input
            aria-label={`Param ${p.name}`}
            className={input}
            disabled={readOnly}
            placeholder={p.default === undefined ? "" : `default: ${String(p.default)}`}
            value={values[p.name] === undefined ? "" : String(values[p.name])}
            onChange={(e) => {
              const { [p.name]: _old, ...rest } = values;
              const raw = e.target.value;
              const typed = raw === "" ? undefined : p.type === "number" ? Number(raw) : p.type === "boolean" ? raw === "true" : raw;
              onChange({ params: typed === undefined ? rest : { ...rest, [p.name]: typed } });
            }}
          />
        </label>
      ))}
      {next.length ? (
        <div className="text-[11.5px] text-slate-500">
          Next runs ({timezone}):
          <ol data-testid="next-fire-times" className="mt-0.5 list-inside list-decimal tabular-nums">
            {next.map((d) => (
              <li key={d.getTime()}>{formatInZone(d, timezone)}</li>
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}

function DatasetField({ value, readOnly, onChange }: { value: string; readOnly: boolean; onChange: (v: string) => void }) {
  const trpc = useTRPC();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const names = [...new Set((datasets.data ?? []).map((d) => d.name))];
  return (
    <label className="block text-[11.5px] text-slate-600">
      Dataset name
      <input
        aria-label="Dataset name"
        className={input}
        list="conveyor-dataset-names"
        value={value}
        disabled={readOnly}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id="conveyor-dataset-names">
        {names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
    </label>
  );
}

function WebhookState({
  pipelineId,
  hint,
  fresh,
  onFresh,
  readOnly,
}: {
  pipelineId?: string;
  hint: string | null;
  fresh: FreshWebhook | null;
  onFresh?: (w: FreshWebhook) => void;
  readOnly: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const regenerate = useMutation(trpc.triggers.regenerateWebhook.mutationOptions());
  const [copied, setCopied] = useState(false);
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  if (fresh) {
    const url = `${origin}${fresh.url}`;
    return (
      <div className="space-y-1">
        <div className="flex items-center gap-1.5">
          <input aria-label="Webhook URL" readOnly className={`${input} font-mono text-[11px]`} value={url} data-testid="webhook-url" />
          <Button
            size="sm"
            onClick={() =>
              void navigator.clipboard.writeText(url).then(() => {
                setCopied(true);
                setTimeout(() => setCopied(false), 1500);
              })
            }
          >
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
        <p className="text-[11.5px] text-amber-700">Copy it now: the token is shown only this once. POST JSON params to it to start a run.</p>
      </div>
    );
  }
  if (!pipelineId || !hint) return <p className="text-[12px] text-slate-500">The URL appears when the pipeline is saved.</p>;
  return (
    <div className="flex items-center gap-1.5">
      <code className="min-w-0 flex-1 truncate text-[11px] text-slate-600" data-testid="webhook-hint">
        /api/v1/hooks/whk_…{hint}
      </code>
      {readOnly ? null : (
        <Button
          size="sm"
          disabled={regenerate.isPending}
          title="A new URL; the old one stops working at once"
          onClick={() =>
            void regenerate.mutateAsync({ id: pipelineId }).then((w) => {
              onFresh?.({ token: w.token, url: w.url });
              void queryClient.invalidateQueries({ queryKey: trpc.triggers.list.queryKey({ id: pipelineId }) });
            })
          }
        >
          Regenerate
        </Button>
      )}
    </div>
  );
}

function SchedulePause({
  pipelineId,
  index,
  state,
  readOnly,
}: {
  pipelineId: string;
  index: number;
  state: { paused: boolean; note: string | null };
  readOnly: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const done = () => {
    setReason("");
    void queryClient.invalidateQueries({ queryKey: trpc.triggers.list.queryKey({ id: pipelineId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.triggers.schedules.queryKey() });
  };
  const pause = useMutation(trpc.triggers.pause.mutationOptions({ onSuccess: done }));
  const resume = useMutation(trpc.triggers.resume.mutationOptions({ onSuccess: done }));
  const act = state.paused ? resume : pause;
  return (
    <div className="mt-2 border-t border-slate-100 pt-2" data-testid={`schedule-state-${index}`}>
      <div className={`text-[11.5px] ${state.paused ? "text-amber-700" : "text-emerald-700"}`}>
        {state.paused ? "Paused" : "Active"}
        {state.note ? <span className="text-slate-500"> · {state.note}</span> : null}
      </div>
      {readOnly ? null : (
        <form
          className="mt-1.5 flex gap-1.5"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) act.mutate({ id: pipelineId, index, reason: reason.trim() });
          }}
        >
          <input
            aria-label="Reason"
            className={input}
            placeholder={state.paused ? "Why resume?" : "Why pause?"}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <Button size="sm" type="submit" disabled={!reason.trim() || act.isPending}>
            {state.paused ? "Resume" : "Pause"}
          </Button>
        </form>
      )}
    </div>
  );
}

export type { Trigger };
