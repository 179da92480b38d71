"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { ClockIcon, DatasetIcon, DeployIcon, InboxIcon, LogoMark, ModelIcon, PipelineIcon, RunIcon } from "./icons";

const NAV = [
  { href: "/", label: "Pipelines", icon: PipelineIcon, match: (p: string) => p === "/" || p.startsWith("/pipelines") },
  { href: "/runs", label: "Runs", icon: RunIcon, match: (p: string) => p.startsWith("/runs") },
  { href: "/datasets", label: "Datasets", icon: DatasetIcon, match: (p: string) => p.startsWith("/datasets") },
  { href: "/schedules", label: "Schedules", icon: ClockIcon, match: (p: string) => p.startsWith("/schedules") },
  { href: "/models", label: "Models", icon: ModelIcon, match: (p: string) => p.startsWith("/models") },
  { href: "/deployments", label: "Deployments", icon: DeployIcon, match: (p: string) => p.startsWith("/deployments") },
  { href: "/approvals", label: "Approvals", icon: InboxIcon, match: (p: string) => p.startsWith("/approvals") },
];

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname() ?? "/";
  // The editor needs the width: there the nav shrinks to an icon rail.
  const compact = pathname.startsWith("/pipelines/");
  const pending = usePendingApprovals();
  return (
    <div className="flex h-screen flex-col">
      <header className="flex h-12 shrink-0 items-center justify-between border-b border-slate-200 bg-white px-4">
        <Link href="/" className="flex items-center gap-2 rounded-md px-1 py-1 text-[15px] font-semibold tracking-tight text-slate-900">
          <LogoMark />
          Conveyor
        </Link>
        <div className="flex items-center gap-4 text-xs text-slate-500">
          <HealthIndicator />
          <span className="hidden sm:inline">Local team</span>
          <span
            className="flex h-7 w-7 items-center justify-center rounded-full bg-slate-200 text-[11px] font-semibold text-slate-600"
            aria-label="Local developer"
          >
            LD
          </span>
        </div>
      </header>
      <div className="flex min-h-0 flex-1">
        <nav
          aria-label="Main"
          className={`flex shrink-0 flex-col gap-0.5 border-r border-slate-200 bg-white py-3 ${compact ? "w-14 items-center px-2" : "w-52 px-2.5"}`}
        >
          {NAV.map(({ href, label, icon: Icon, match }) => {
            const active = match(pathname);
            const count = href === "/approvals" ? pending : 0;
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? "page" : undefined}
                aria-label={count ? `${label}, ${count} waiting` : label}
                title={compact ? (count ? `${label} (${count} waiting)` : label) : undefined}
                className={`relative flex items-center gap-2.5 rounded-md py-1.5 text-sm font-medium transition-colors ${compact ? "justify-center px-2" : "px-2.5"} ${
                  active ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
                }`}
              >
                <Icon className={active ? "text-indigo-600" : "text-slate-400"} />
                {compact ? null : label}
                {count ? (
                  <span
                    data-testid="pending-approvals"
                    className={`rounded-full bg-amber-500 text-center text-[10.5px] font-semibold leading-4 text-white ${
                      compact ? "absolute -top-0.5 -right-0.5 h-4 min-w-4 px-1" : "ml-auto h-4 min-w-5 px-1.5"
                    }`}
                  >
                    {count}
                  </span>
                ) : null}
              </Link>
            );
          })}
          {compact ? null : (
            <div className="mt-auto px-2.5 pb-1 text-[11px] leading-relaxed text-slate-400">
              Pipelines compile to durable Temporal workflows; models serve over OIP v2.{" "}
              <a href="/api/docs" className="text-indigo-600 hover:underline" data-testid="api-docs-link">
                API reference
              </a>
            </div>
          )}
        </nav>
        <main className="min-w-0 flex-1 overflow-auto">{children}</main>
      </div>
    </div>
  );
}

/** How many approvals wait for a person (the nav's badge). */
function usePendingApprovals(): number {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.approvals.list.queryOptions({ status: "pending" }), refetchInterval: 15_000, retry: false });
  return q.data?.length ?? 0;
}

type Health = Record<string, string>;

/** The platform's health (`GET /api/health`): one dot, details on hover. */
function HealthIndicator() {
  const { data, isError } = useQuery({
    queryKey: ["health"],
    queryFn: async (): Promise<Health | null> => {
      const res = await fetch("/api/health");
      // Any JSON answer (200 or 503) reports per-service health; anything else says nothing.
      return (await res.json().catch(() => null)) as Health | null;
    },
    refetchInterval: 15_000,
    retry: false,
  });
  if (!data || isError || typeof data !== "object") return null;
  const problems = Object.entries(data).filter(([, v]) => v !== "ok");
  const ok = problems.length === 0;
  const title = Object.entries(data)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
  return (
    <span className="flex items-center gap-1.5" title={title}>
      <span className={`h-2 w-2 rounded-full ${ok ? "bg-emerald-500" : "bg-amber-500"}`} />
      {ok ? "All systems normal" : `${problems.map(([k]) => k).join(", ")} degraded`}
    </span>
  );
}
