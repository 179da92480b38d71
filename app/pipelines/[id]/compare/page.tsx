import type { Metadata } from "next";
import { CompareVersions } from "../../../../components/canvas/compare-view";

export const metadata: Metadata = { title: "Compare versions" };

export default async function ComparePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ from?: string; to?: string }>;
}) {
  const { id } = await params;
  const { from, to } = await searchParams;
  return <CompareVersions id={id} from={Number(from)} to={Number(to)} />;
}
