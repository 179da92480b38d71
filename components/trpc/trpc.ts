"use client";
/**
 * The UI's typed API client (tRPC over TanStack Query). Only the router's
 * *type* crosses into the browser bundle.
 */
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/api/router";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RunDetail = RouterOutputs["runs"]["get"];
export type RunStep = RunDetail["steps"][number];
export type RunMetric = RunDetail["metrics"][number];
export type PipelineDetail = RouterOutputs["pipelines"]["get"];
export type ModelDetail = RouterOutputs["models"]["get"];
export type ModelVersionDetail = RouterOutputs["models"]["version"];
export type DatasetSummary = RouterOutputs["datasets"]["list"][number];
