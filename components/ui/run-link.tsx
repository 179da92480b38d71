import Link from "next/link";

/** A run id as a short link to its run view, or an em dash when there is none. */
export function RunLink({
  runId,
  className = "font-mono text-xs text-slate-500 hover:text-indigo-700",
}: {
  runId: string | null | undefined;
  className?: string;
}) {
  if (!runId) return <>—</>;
  return (
    <Link href={`/runs/${runId}`} className={className}>
      {runId.slice(0, 8)}
    </Link>
  );
}
