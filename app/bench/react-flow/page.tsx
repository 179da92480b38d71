/**
 * BENCHMARK FIXTURE, not a product page: the bare React Flow ceiling that
 * `npm run bench -- canvas` (bench/canvas.ts) compares the pipeline editor
 * with. It answers 404 unless the server runs with CONVEYOR_BENCH_PAGES=1.
 *
 * /bench/react-flow?id=<pipeline id>&visible=1&x=&y=&w=&h=
 */
import { notFound } from "next/navigation";
import { env } from "../../../infra/env";
import { BareFlow } from "./bare-flow";

export const dynamic = "force-dynamic";

export default async function BareReactFlowBenchPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  if (env().CONVEYOR_BENCH_PAGES !== "1") notFound();
  const q = await searchParams;
  const num = (v: string | undefined, fallback: number) => (v && Number.isFinite(Number(v)) ? Number(v) : fallback);
  if (!q.id) notFound();
  return <BareFlow id={q.id} onlyRenderVisibleElements={q.visible === "1"} rect={{ x: num(q.x, 0), y: num(q.y, 0), w: num(q.w, 1000), h: num(q.h, 800) }} />;
}
