import type { Metadata } from "next";
import { PipelineEditor } from "../../../components/canvas/pipeline-editor";

export const metadata: Metadata = { title: "New pipeline" };

export default function NewPipelinePage() {
  return <PipelineEditor />;
}
