import type { Metadata } from "next";
import { MonitoringPage } from "../../../../components/monitoring/monitoring-page";

export const metadata: Metadata = { title: "Monitoring" };

export default async function DeploymentMonitoringPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <MonitoringPage name={decodeURIComponent(name)} />;
}
