// The Temporal floor for the orchestration benchmark: n sequential no-op activities.
import { proxyActivities } from "@temporalio/workflow";

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: "30 seconds" });

export async function chain(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await noop();
}
