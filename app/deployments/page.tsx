import type { Metadata } from "next";
import { DeploymentList } from "../../components/deployments/deployment-list";

export const metadata: Metadata = { title: "Deployments" };

export default function DeploymentsPage() {
  return <DeploymentList />;
}
