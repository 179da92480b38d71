"use client";
/**
 * A deployment's monitoring settings (interval, retention, webhook, on/off)
 * and alert rules, as a form that saves them with `monitoring.configure`.
 * The server's refusals are shown next to the field they name
 * (`intervalSeconds`, `rules.2.value`…); the rest under the Save button.
 */
import { useMemo, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { describeError } from "../trpc/errors";
import { ActionError } from "../ui/action-error";
import { Button } from "../ui/button";
import { Card } from "../ui/page";
import { ALERT_METRICS } from "../../contract/monitoring";
import { describeInterval } from "./model";
import { draftsOf, fieldErrors, isFeatureMetric, ruleInputs, type RuleDraft } from "./rules-form";

interface Settings {
  intervalSeconds: number;
  retentionDays: number;
  webhookUrl: string | null;
  enabled: boolean;
}
interface Rule {
  id: string;
  metric: string;
  feature: string | null;
  op: ">" | ">=" | "<" | "<=";
  value: number;
  forWindows: number;
}

const OPS = [">", ">=", "<", "<="] as const;
const INPUT = "h-8 rounded-md border bg-white px-2 text-[13px] focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100";
const border = (bad: boolean) => (bad ? "border-rose-400" : "border-slate-200");

export function MonitoringSettingsCard({ name, settings, rules, features }: { name: string; settings: Settings; rules: Rule[]; features: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(
    trpc.monitoring.configure.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.monitoring.get.pathKey() }),
    }),
  );
  // A new form whenever the saved settings change (after a save, or someone else's).
  const key = JSON.stringify([settings, rules]);
  return (
    <Card title="Alert rules and settings" className="mb-5">
      <SettingsForm
        key={key}
        settings={settings}
        rules={rules}
        features={features}
        pending={save.isPending}
        error={save.error}
        saved={save.isSuccess}
        onSave={(input) => save.mutate({ name, ...input })}
        onEdit={() => {
          if (save.isSuccess || save.isError) save.reset();
        }}
      />
    </Card>
  );
}

function SettingsForm({
  settings,
  rules,
  features,
  pending,
  error,
  saved,
  onSave,
  onEdit,
}: {
  settings: Settings;
  rules: Rule[];
  features: string[];
  pending: boolean;
  error: unknown;
  saved: boolean;
  onSave: (input: {
    intervalSeconds: number;
    retentionDays: number;
    webhookUrl: string | null;
    enabled: boolean;
    rules: ReturnType<typeof ruleInputs>;
  }) => void;
  onEdit: () => void;
}) {
  const [interval, setIntervalText] = useState(String(settings.intervalSeconds));
  const [retention, setRetention] = useState(String(settings.retentionDays));
  const [webhook, setWebhook] = useState(settings.webhookUrl ?? "");
  const [enabled, setEnabled] = useState(settings.enabled);
  const [drafts, setDrafts] = useState<RuleDraft[]>(() => draftsOf(rules));
  const errors = useMemo(() => fieldErrors(error ? describeError(error).fields : []), [error]);
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      onEdit();
      set(v);
    };
  const setRule = (i: number, patch: Partial<RuleDraft>) => {
    onEdit();
    setDrafts((d) => d.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };
  const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
  return (
    <form
      aria-label="Monitoring settings"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({
          intervalSeconds: num(interval),
          retentionDays: num(retention),
          webhookUrl: webhook.trim() === "" ? null : webhook.trim(),
          enabled,
          rules: ruleInputs(drafts),
        });
      }}
    >
      <div className="grid gap-4 px-4 py-3.5 md:grid-cols-[1fr_1fr_2fr_auto]">
        <Field
          id="monitor-interval"
          label="Interval (seconds)"
          hint={Number.isFinite(num(interval)) ? describeInterval(num(interval)) : undefined}
          error={errors.get("intervalSeconds")}
        >
          <input
            id="monitor-interval"
            inputMode="numeric"
            value={interval}
            onChange={(e) => edit(setIntervalText)(e.target.value)}
            className={`${INPUT} w-full ${border(errors.has("intervalSeconds"))}`}
          />
        </Field>
        <Field id="monitor-retention" label="Retention (days)" error={errors.get("retentionDays")}>
          <input
            id="monitor-retention"
            inputMode="numeric"
            value={retention}
            onChange={(e) => edit(setRetention)(e.target.value)}
            className={`${INPUT} w-full ${border(errors.has("retentionDays"))}`}
          />
        </Field>
        <Field id="monitor-webhook" label="Webhook URL" hint="alert and retraining events are POSTed here" error={errors.get("webhookUrl")}>
          <input
            id="monitor-webhook"
            type="text"
            placeholder="https://…"
            value={webhook}
            onChange={(e) => edit(setWebhook)(e.target.value)}
            className={`${INPUT} w-full ${border(errors.has("webhookUrl"))}`}
          />
        </Field>
        <div className="flex items-center pt-5">
          <label className="flex items-center gap-2 text-[13px] text-slate-700">
            <input type="checkbox" checked={enabled} onChange={(e) => edit(setEnabled)(e.target.checked)} className="h-4 w-4 accent-indigo-600" />
            Monitoring on
          </label>
        </div>
      </div>
      <div className="border-t border-slate-100">
        <table className="w-full border-collapse text-[13px] [&_td]:px-4 [&_td]:py-1.5 [&_td]:align-top [&_th]:px-4 [&_th]:py-2 [&_th]:text-left [&_th]:text-xs [&_th]:font-medium [&_th]:text-slate-500">
          <caption className="sr-only">Alert rules</caption>
          <thead>
            <tr>
              <th>Metric</th>
              <th>Feature</th>
              <th>Condition</th>
              <th>For windows</th>
              <th>
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {drafts.length === 0 ? (
              <tr>
                <td colSpan={5} className="text-slate-500">
                  No alert rules: nothing alerts. Add one to be told; retraining is started by a pipeline’s drift trigger.
                </td>
              </tr>
            ) : null}
            {drafts.map((r, i) => {
              const drift = isFeatureMetric(r.metric);
              const e = (f: string) => errors.get(`rules.${i}.${f}`);
              return (
                <tr key={r.key} data-testid="rule-row">
                  <td>
                    <select
                      aria-label={`Rule ${i + 1} metric`}
                      value={r.metric}
                      onChange={(ev) => setRule(i, { metric: ev.target.value })}
                      className={`${INPUT} w-full ${border(!!e("metric"))}`}
                    >
                      {ALERT_METRICS.map((m) => (
                        <option key={m} value={m}>
                          {m}
                        </option>
                      ))}
                    </select>
                    <FieldError message={e("metric")} />
                  </td>
                  <td>
                    <select
                      aria-label={`Rule ${i + 1} feature`}
                      value={r.feature}
                      disabled={!drift}
                      onChange={(ev) => setRule(i, { feature: ev.target.value })}
                      className={`${INPUT} w-full disabled:bg-slate-50 disabled:text-slate-400 ${border(!!e("feature"))}`}
                    >
                      <option value="">{drift ? "the most drifted" : "—"}</option>
                      {[...new Set([...features, ...(r.feature ? [r.feature] : [])])].map((f) => (
                        <option key={f} value={f}>
                          {f}
                        </option>
                      ))}
                    </select>
                    <FieldError message={e("feature")} />
                  </td>
                  <td>
                    <div className="flex gap-1.5">
                      <select
                        aria-label={`Rule ${i + 1} comparison`}
                        value={r.op}
                        onChange={(ev) => setRule(i, { op: ev.target.value as RuleDraft["op"] })}
                        className={`${INPUT} w-16 ${border(!!e("op"))}`}
                      >
                        {OPS.map((o) => (
                          <option key={o} value={o}>
                            {o}
                          </option>
                        ))}
                      </select>
                      <input
                        aria-label={`Rule ${i + 1} threshold`}
                        inputMode="decimal"
                        value={r.value}
                        onChange={(ev) => setRule(i, { value: ev.target.value })}
                        className={`${INPUT} w-24 font-mono ${border(!!e("value"))}`}
                      />
                    </div>
                    <FieldError message={e("op") ?? e("value")} />
                  </td>
                  <td>
                    <input
                      aria-label={`Rule ${i + 1} windows in a row`}
                      inputMode="numeric"
                      value={r.forWindows}
                      onChange={(ev) => setRule(i, { forWindows: ev.target.value })}
                      className={`${INPUT} w-20 font-mono ${border(!!e("forWindows"))}`}
                    />
                    <FieldError message={e("forWindows")} />
                  </td>
                  <td className="text-right">
                    <Button
                      variant="ghost"
                      size="sm"
                      aria-label={`Remove rule ${i + 1}`}
                      onClick={() => {
                        onEdit();
                        setDrafts((d) => d.filter((_, j) => j !== i));
                      }}
                    >
                      Remove
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="flex flex-wrap items-start justify-between gap-3 border-t border-slate-100 px-4 py-3">
        <Button
          size="sm"
          onClick={() => {
            onEdit();
            setDrafts((d) => [...d, { key: `new-${Date.now()}-${d.length}`, metric: "psi", feature: "", op: ">", value: "0.2", forWindows: "1" }]);
          }}
        >
          Add rule
        </Button>
        <div className="flex min-w-0 flex-1 flex-col items-end gap-1.5">
          <Button variant="primary" type="submit" disabled={pending}>
            {pending ? "Saving…" : "Save settings and rules"}
          </Button>
          {saved ? (
            <div role="status" className="text-[12px] text-emerald-700">
              Saved.
            </div>
          ) : null}
          {error && errors.size === 0 ? <ActionError error={error} /> : null}
          {error && errors.size > 0 ? (
            <div role="alert" className="text-[12px] text-rose-700">
              {describeError(error).title}: see the fields marked above.
            </div>
          ) : null}
        </div>
      </div>
    </form>
  );
}

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-[12px] font-medium text-slate-700">
        {label}
      </label>
      {children}
      {error ? <FieldError message={error} /> : hint ? <div className="mt-0.5 text-[11px] text-slate-400">{hint}</div> : null}
    </div>
  );
}

function FieldError({ message }: { message: string | undefined }) {
  return message ? (
    <div role="alert" className="mt-0.5 text-[11.5px] text-rose-700">
      {message}
    </div>
  ) : null;
}
