import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ModelVersionView } from "../../../../../components/models/model-version-view";

export const metadata: Metadata = { title: "Model version" };

export default async function ModelVersionPage({ params }: { params: Promise<{ name: string; version: string }> }) {
  const { name, version } = await params;
  const v = Number(version);
  if (!Number.isInteger(v) || v < 1) notFound();
  return <ModelVersionView name={decodeURIComponent(name)} version={v} />;
}
