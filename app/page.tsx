import { PipelineList } from "../components/pipelines/pipeline-list";

export default function HomePage() {
  return <PipelineList />;
}
