/**
 * The rules a rollout judges a challenger by, on the live figures of its
 * version (summed over serving replicas). Pure and deterministic: the
 * rollout workflow calls them.
 */
import { HIGHER_IS_BETTER } from "../../contract/monitoring";
import type { LiveMetricRule, RolloutPlan } from "../nodes/step-context";

/** The figures of one version (db/queries/deployments VersionFigures, as the workflow receives them). */
export interface Figures {
  version: number;
  mode: "live" | "shadow";
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  agreement: number | null;
  compared: number;
  /** The version's quality over its logged predictions whose ground truth arrived (null: none yet). */
  quality?: { labelled: number; metrics: Record<string, number> } | null;
}

const higher = (metric: string) => (HIGHER_IS_BETTER as readonly string[]).includes(metric);
const num = (x: number) => String(Number(x.toPrecision(4)));

/** A version's live quality against a bound: null while too few requests are labelled. */
function liveMetricVerdict(rule: LiveMetricRule, f: Figures): { broken?: string; summary: string } | null {
  const q = f.quality;
  if (!q || q.labelled < rule.minLabelled) return null;
  const value = q.metrics[rule.metric];
  if (value === undefined)
    return { broken: `the model's task has no ${rule.metric} (it has ${Object.keys(q.metrics).join(", ")})`, summary: `${q.labelled} labelled` };
  const summary = `${rule.metric} ${num(value)} over ${q.labelled} labelled`;
  const worse = higher(rule.metric) ? value < rule.value : value > rule.value;
  return worse ? { broken: `${rule.metric} ${num(value)} ${higher(rule.metric) ? "<" : ">"} minLiveMetric ${num(rule.value)}`, summary } : { summary };
}

export type Verdict = { ok: true; summary: string } | { ok: false; broken: string; summary: string } | { ok: "inconclusive"; summary: string };

function pct(x: number): string {
  return `${(x * 100).toFixed(2).replace(/\.?0+$/, "")}%`;
}

/** A canary step's verdict on the challenger's live figures. */
export function judgeCanary(rules: NonNullable<RolloutPlan["canary"]>["rollback"], challenger: Figures | undefined): Verdict {
  const f = challenger;
  if (!f || f.requests < rules.minRequests) {
    return { ok: "inconclusive", summary: `${f?.requests ?? 0} requests reached the challenger (at least ${rules.minRequests} are needed to judge it)` };
  }
  const summary = `${f.requests} requests, error rate ${pct(f.errorRate)}, p99 ${f.p99Ms === null ? "–" : `${f.p99Ms.toFixed(1)} ms`}`;
  if (rules.maxErrorRate !== undefined && f.errorRate > rules.maxErrorRate) {
    return { ok: false, broken: `error rate ${pct(f.errorRate)} > maxErrorRate ${pct(rules.maxErrorRate)}`, summary };
  }
  if (rules.maxP99Ms !== undefined && f.p99Ms !== null && f.p99Ms > rules.maxP99Ms) {
    return { ok: false, broken: `p99 ${f.p99Ms.toFixed(1)} ms > maxP99Ms ${rules.maxP99Ms} ms`, summary };
  }
  if (rules.minLiveMetric) {
    const q = liveMetricVerdict(rules.minLiveMetric, f);
    if (!q) {
      const labelled = f.quality?.labelled ?? 0;
      return {
        ok: "inconclusive",
        summary: `${summary}; ${labelled} labelled (at least ${rules.minLiveMetric.minLabelled} are needed to judge its ${rules.minLiveMetric.metric})`,
      };
    }
    if (q.broken) return { ok: false, broken: q.broken, summary: `${summary}, ${q.summary}` };
    return { ok: true, summary: `${summary}, ${q.summary}` };
  }
  return { ok: true, summary };
}

/**
 * Whether a shadow period earned the challenger its promotion: every rule
 * given holds (agreement with the champion's answers; quality better than
 * the champion's on the same labelled requests by a share).
 */
export function judgeShadow(rule: NonNullable<NonNullable<RolloutPlan["shadow"]>["promote"]>, shadow: Figures | undefined, champion?: Figures): Verdict {
  const compared = shadow?.compared ?? 0;
  const agreement = shadow?.agreement ?? null;
  const parts = [`${compared} rows compared, agreement ${agreement === null ? "–" : pct(agreement)}, ${shadow?.errors ?? 0} errors`];
  let broken: string | undefined;
  if (rule.minAgreement !== undefined) {
    if (compared < rule.minCompared) broken ??= `only ${compared} rows compared (minCompared ${rule.minCompared})`;
    else if (agreement === null || agreement < rule.minAgreement)
      broken ??= `agreement ${agreement === null ? "–" : pct(agreement)} < minAgreement ${pct(rule.minAgreement)}`;
  }
  if (shadow && shadow.errors > 0) broken ??= `${shadow.errors} shadow requests failed`;
  if (rule.minImprovement !== undefined) {
    const s = shadow?.quality;
    const c = champion?.quality;
    const metric = rule.metric ?? (s && "accuracy" in s.metrics ? "accuracy" : "mae");
    const labelled = Math.min(s?.labelled ?? 0, c?.labelled ?? 0);
    const sv = s?.metrics[metric];
    const cv = c?.metrics[metric];
    if (labelled < rule.minLabelled) broken ??= `only ${labelled} labelled requests (minLabelled ${rule.minLabelled})`;
    else if (sv === undefined || cv === undefined)
      broken ??= `no ${metric} for both versions (the model's task has ${Object.keys(s?.metrics ?? {}).join(", ") || "none"})`;
    else {
      // The share by which the challenger is better (positive) or worse; a perfect champion cannot be beaten.
      const gain = cv === 0 ? (sv === cv ? 0 : higher(metric) === sv > cv ? Infinity : -Infinity) : (higher(metric) ? sv - cv : cv - sv) / Math.abs(cv);
      parts.push(`${metric} ${num(sv)} vs the champion's ${num(cv)} over ${labelled} labelled (${gain >= 0 ? "+" : ""}${pct(gain)})`);
      if (gain < rule.minImprovement) broken ??= `${metric} better by ${pct(gain)} < minImprovement ${pct(rule.minImprovement)}`;
    }
  }
  const summary = parts.join("; ");
  return broken ? { ok: false, broken, summary } : { ok: true, summary };
}
