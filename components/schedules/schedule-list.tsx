"use client";
/** /schedules: every schedule trigger of the team, its state, next and last fire, with pause and resume (a reason each). */
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { Button } from "../ui/button";
import { formatDateTime, formatInZone, formatRelative } from "../ui/format";
import { Card, EmptyState, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";

export function ScheduleList() {
  const trpc = useTRPC();
  const schedules = useQuery({ ...trpc.triggers.schedules.queryOptions(), refetchInterval: 15_000 });
  return (
    <PageContainer>
      <PageHeader
        title="Schedules"
        subtitle="Pipelines that run themselves at set times. Add a schedule in a pipeline's settings (select nothing on the canvas)."
      />
      {schedules.isPending ? (
        <Loading />
      ) : schedules.isError ? (
        <ErrorNote error={schedules.error} title="Could not load schedules" />
      ) : schedules.data.length === 0 ? (
        <EmptyState title="No schedules yet">Open a pipeline, click the empty canvas, and add a schedule under Triggers.</EmptyState>
      ) : (
        <Card>
          <Table>
            <thead>
              <tr>
                <th>Pipeline</th>
                <th>When</th>
                <th>State</th>
                <th>Next run</th>
                <th>Last run</th>
                <th className="text-right">Pause or resume</th>
              </tr>
            </thead>
            <tbody>
              {schedules.data.map((s) => (
                <tr key={`${s.pipelineId}-${s.index}`} data-testid="schedule-row" className="align-top hover:bg-slate-50/60">
                  <td className="whitespace-nowrap">
                    <Link href={`/pipelines/${s.pipelineId}`} className="font-medium text-slate-800 hover:text-indigo-700">
                      {s.pipelineName}
                    </Link>
                  </td>
                  <td>
                    <div className="text-slate-700">{s.description}</div>
                    <code className="text-[11px] text-slate-400">{s.cron}</code>
                  </td>
                  <td className="max-w-[220px]">
                    {!s.schedule ? (
                      <span className="text-rose-700">not set up in Temporal: save the pipeline again</span>
                    ) : s.schedule.paused ? (
                      <span className="text-amber-700">Paused</span>
                    ) : (
                      <span className="text-emerald-700">Active</span>
                    )}
                    {s.schedule?.note ? (
                      <div className="truncate text-[11.5px] text-slate-500" title={s.schedule.note}>
                        {s.schedule.note}
                      </div>
                    ) : null}
                  </td>
                  <td
                    className="whitespace-nowrap text-slate-500"
                    title={s.schedule?.nextFireTimes[0] ? formatDateTime(s.schedule.nextFireTimes[0]) : undefined}
                  >
                    {s.schedule?.paused ? "—" : s.schedule?.nextFireTimes[0] ? formatInZone(s.schedule.nextFireTimes[0], s.timezone) : "—"}
                  </td>
                  <td className="text-slate-500">{s.schedule?.lastFiredAt ? formatRelative(s.schedule.lastFiredAt) : "never"}</td>
                  <td className="text-right">{s.schedule ? <PauseResume pipelineId={s.pipelineId} index={s.index} paused={s.schedule.paused} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      )}
    </PageContainer>
  );
}

function PauseResume({ pipelineId, index, paused }: { pipelineId: string; index: number; paused: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const onSuccess = () => {
    setReason("");
    void queryClient.invalidateQueries({ queryKey: trpc.triggers.schedules.queryKey() });
  };
  const pause = useMutation(trpc.triggers.pause.mutationOptions({ onSuccess }));
  const resume = useMutation(trpc.triggers.resume.mutationOptions({ onSuccess }));
  const act = paused ? resume : pause;
  return (
    <form
      className="inline-flex gap-1.5"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) act.mutate({ id: pipelineId, index, reason: reason.trim() });
      }}
    >
      <input
        aria-label="Reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder={paused ? "Why resume?" : "Why pause?"}
        className="h-7 w-36 rounded-md border border-slate-200 px-2 text-xs focus:border-indigo-400 focus:outline-none"
      />
      <Button size="sm" type="submit" disabled={!reason.trim() || act.isPending}>
        {paused ? "Resume" : "Pause"}
      </Button>
    </form>
  );
}
