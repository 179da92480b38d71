import type { Metadata } from "next";
import { Suspense } from "react";
import { RunList } from "../../components/runs/run-list";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <Suspense>
      <RunList />
    </Suspense>
  );
}
