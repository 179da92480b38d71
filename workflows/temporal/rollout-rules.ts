/**
 * The rules a rollout judges a challenger by, on the live figures of its
 * version (summed over serving replicas). Pure and deterministic: the
 * rollout workflow calls them.
 */
import type { RolloutPlan } from "../nodes/step-context";

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
  return { ok: true, summary };
}

/** Whether a shadow period earned the challenger its promotion. */
export function judgeShadow(rule: NonNullable<NonNullable<RolloutPlan["shadow"]>["promote"]>, shadow: Figures | undefined): Verdict {
  const compared = shadow?.compared ?? 0;
  const agreement = shadow?.agreement ?? null;
  const summary = `${compared} rows compared, agreement ${agreement === null ? "–" : pct(agreement)}, ${shadow?.errors ?? 0} errors`;
  if (compared < rule.minCompared) return { ok: false, broken: `only ${compared} rows compared (minCompared ${rule.minCompared})`, summary };
  if (agreement === null || agreement < rule.minAgreement) {
    return { ok: false, broken: `agreement ${agreement === null ? "–" : pct(agreement)} < minAgreement ${pct(rule.minAgreement)}`, summary };
  }
  if (shadow && shadow.errors > 0) return { ok: false, broken: `${shadow.errors} shadow requests failed`, summary };
  return { ok: true, summary };
}
