import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../../../../server/api/router";
import { createContext, onTrpcError } from "../../../../server/api/trpc";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = (req: Request) => fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext, onError: onTrpcError });

export { handler as GET, handler as POST };
