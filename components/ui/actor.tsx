import Link from "next/link";
import { PersonIcon } from "./icons";

/**
 * Who made a move: a pipeline (`pipeline:<id>`) by the name of the pipeline
 * of the run that made it, linked to that run; a person (`user:<id>`) as a
 * person; anything else as it is.
 */
export function Actor({ actor, pipelineName, runId }: { actor: string; pipelineName?: string | null; runId?: string | null }) {
  const pipeline = /^pipeline:(.+)$/.exec(actor);
  if (pipeline) {
    const label = pipelineName ?? `pipeline ${pipeline[1]!.slice(0, 8)}`;
    return (
      <Link
        href={runId ? `/runs/${runId}` : `/pipelines/${pipeline[1]}`}
        className="group inline-flex flex-col leading-tight"
        title={runId ? `${actor}, run ${runId}` : actor}
        data-testid="actor-pipeline"
      >
        <span className="font-medium text-indigo-600 group-hover:underline">{label}</span>
        {runId ? <span className="font-mono text-[11px] text-slate-400">run {runId.slice(0, 8)}</span> : null}
      </Link>
    );
  }
  const user = /^user:(.+)$/.exec(actor);
  if (user) {
    return (
      <span className="inline-flex items-center gap-1 text-slate-700" title={actor} data-testid="actor-user">
        <PersonIcon className="h-3.5 w-3.5 text-slate-400" />
        user <span className="font-mono text-[11px] text-slate-400">{user[1]!.slice(0, 8)}</span>
      </span>
    );
  }
  return <span className="text-slate-600">{actor}</span>;
}
