import type { Metadata } from "next";
import { ModelDetail } from "../../../components/models/model-detail";

export const metadata: Metadata = { title: "Model" };

export default async function ModelPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <ModelDetail name={decodeURIComponent(name)} />;
}
