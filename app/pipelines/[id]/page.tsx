import type { Metadata } from "next";
import { PipelineEditor } from "../../../components/canvas/pipeline-editor";

export const metadata: Metadata = { title: "Pipeline" };

/** /pipelines/{id}[?resume=<runId>&version=<v>&select=<nodeId>]: "Edit and resume" from a failed run opens its version with the failed node selected. */
export default async function PipelinePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const { id } = await params;
  const q = await searchParams;
  const version = Number(q.version);
  const resume = q.resume ? { runId: q.resume, version: Number.isInteger(version) && version > 0 ? version : undefined, select: q.select } : undefined;
  return <PipelineEditor pipelineId={id} resume={resume} />;
}
