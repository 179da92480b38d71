/**
 * A deployment's routes at a glance: one bar split by live weight (the route
 * that follows the deployment's alias in indigo, a challenger in amber) and
 * shadows as dashed chips beside it (they get a copy of every request and
 * never answer).
 */
import type { Route } from "./history";

const label = (r: Route) => (r.version !== null ? `v${r.version}` : `@${r.alias ?? "?"}`);

function tone(r: Route, alias: string) {
  return r.alias === alias ? "bg-indigo-500 text-white" : "bg-amber-400 text-amber-950";
}

export function RoutesBar({ routes, alias, size = "sm" }: { routes: readonly Route[]; alias: string; size?: "sm" | "lg" }) {
  const live = routes.filter((r) => r.mode === "live" && r.weight > 0);
  const shadows = routes.filter((r) => r.mode === "shadow");
  const big = size === "lg";
  return (
    <div className="min-w-0" data-testid="routes">
      <div className="flex items-center gap-2">
        <div className={`flex min-w-0 flex-1 overflow-hidden rounded ring-1 ring-inset ring-slate-200 ${big ? "h-7 text-[12px]" : "h-2"}`}>
          {live.length === 0 ? (
            <span className="flex flex-1 items-center justify-center bg-slate-50 text-[11px] text-slate-400">{big ? "no live route" : ""}</span>
          ) : (
            live.map((r, i) => (
              <span
                key={i}
                data-route={label(r)}
                data-weight={r.weight}
                title={`${label(r)}${r.alias ? ` (follows ${r.alias})` : ""}: ${r.weight}% of live traffic`}
                className={`flex min-w-0 items-center justify-center overflow-hidden whitespace-nowrap px-1 font-mono font-medium ${tone(r, alias)} ${i > 0 ? "border-l border-white" : ""}`}
                style={{ width: `${r.weight}%` }}
              >
                {big && (r.weight >= 15 || live.length === 1) ? `${label(r)} ${r.weight}%` : ""}
              </span>
            ))
          )}
        </div>
        {big
          ? shadows.map((r, i) => (
              <span
                key={i}
                data-route={label(r)}
                data-mode="shadow"
                title={`${label(r)} shadow: a copy of every request, never answers`}
                className="inline-flex h-7 shrink-0 items-center whitespace-nowrap rounded border border-dashed border-violet-300 bg-violet-50 px-2 font-mono text-[12px] font-medium text-violet-700"
              >
                {label(r)} shadow
              </span>
            ))
          : null}
      </div>
      {big ? null : (
        <div className="mt-1">
          <RouteChips routes={routes} alias={alias} />
        </div>
      )}
    </div>
  );
}

/** Routes as chips: "v2 champion 90%", "v3 shadow". */
export function RouteChips({ routes, alias }: { routes: readonly Route[]; alias: string }) {
  return (
    <span className="flex flex-wrap gap-1">
      {routes.map((r, i) => (
        <span
          key={i}
          data-route={label(r)}
          data-mode={r.mode}
          data-weight={r.weight}
          className={`inline-flex items-center gap-1 whitespace-nowrap rounded px-1.5 py-px font-mono text-[11px] ${
            r.mode === "shadow"
              ? "border border-dashed border-violet-300 bg-violet-50 text-violet-700"
              : r.alias === alias
                ? "bg-indigo-50 text-indigo-700 ring-1 ring-inset ring-indigo-200"
                : "bg-amber-50 text-amber-800 ring-1 ring-inset ring-amber-200"
          }`}
        >
          {label(r)}
          {r.alias && r.version !== null ? <span className="text-[10px] opacity-70">{r.alias}</span> : null}
          <span className="font-semibold">{r.mode === "shadow" ? "shadow" : `${r.weight}%`}</span>
        </span>
      ))}
    </span>
  );
}
