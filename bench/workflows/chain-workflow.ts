// The Temporal floor for the orchestration benchmark: n sequential no-op activities; those at the
// indices in `heavyAt` go to the `<taskQueue>-heavy` queue, as a pipeline's training steps do.
import { proxyActivities, workflowInfo } from "@temporalio/workflow";

type Noop = { noop(): Promise<void> };

export async function chain(n: number, heavyAt: number[] = []): Promise<void> {
  const light = proxyActivities<Noop>({ startToCloseTimeout: "30 seconds" });
  const heavy = proxyActivities<Noop>({ startToCloseTimeout: "30 seconds", taskQueue: `${workflowInfo().taskQueue}-heavy` });
  for (let i = 0; i < n; i++) await (heavyAt.includes(i) ? heavy : light).noop();
}
