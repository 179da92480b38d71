/**
 * Routing: a request to its endpoint (routes.ts matches the URL). The
 * server's own endpoints are answered here (health, server metadata,
 * metrics), the model endpoints by inference.ts. A RequestError becomes its
 * status with `{ error, field }`; anything else a logged 500, so nothing a
 * client sends can crash the process. Every request is counted and timed.
 */
import type http from "node:http";
import { RequestError } from "./errors";
import type { Reply } from "./http-io";
import type { ModelRouteHandler } from "./inference";
import type { ServerState } from "./lifecycle";
import type { ServingMetrics } from "./metrics";
import type { ModelReload } from "./reload";
import { matchRoute } from "./routes";
import type { ServingSource } from "./source";

export const SERVER_NAME = "conveyor-serving";
export const SERVER_VERSION = "0.1.0";

type Json = Record<string, unknown>;

export function requestHandler({
  source,
  metrics,
  reload,
  modelRoute,
  reply,
  state,
  log,
}: {
  source: ServingSource;
  metrics: ServingMetrics;
  reload: ModelReload;
  modelRoute: ModelRouteHandler;
  reply: Reply;
  state: Readonly<ServerState>;
  log: (line: string) => void;
}): http.RequestListener {
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const start = performance.now();
    const label = { endpoint: "unknown", model: "" };
    try {
      const match = matchRoute(req.method ?? "GET", req.url ?? "/");
      if (!match.ok) {
        reply(res, match.status, { error: match.error }, match.allow ? { allow: match.allow } : undefined);
        return;
      }
      const route = match.route;
      label.endpoint = route.kind;
      switch (route.kind) {
        case "live":
          reply(res, 200, { live: true });
          return;
        case "ready":
          try {
            await source.ping();
            reply(res, 200, { ready: true, subscribed: reload.active });
          } catch (e) {
            reply(res, 503, { ready: false, error: `database unreachable: ${e instanceof Error ? e.message : String(e)}` });
          }
          return;
        case "server-metadata":
          reply(res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: [] });
          return;
        case "metrics": {
          const text = metrics.render();
          res.writeHead(200, {
            "content-type": "text/plain; version=0.0.4; charset=utf-8",
            "content-length": Buffer.byteLength(text),
            ...(state.closing ? { connection: "close" } : {}),
          });
          res.end(text);
          return;
        }
        default:
          await modelRoute(route, req, res, label);
      }
    } catch (e) {
      if (res.headersSent) return;
      if (e instanceof RequestError) {
        const body: Json = { error: e.message };
        if (e.field) body.field = e.field;
        reply(res, e.status, body, e.status === 413 ? { connection: "close" } : undefined);
      } else {
        log(`internal error on ${req.method} ${req.url?.slice(0, 200)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        reply(res, 500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      }
    } finally {
      metrics.observe(label.endpoint, label.model, res.statusCode, (performance.now() - start) / 1000);
    }
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      // handle() catches everything; this is the last line of defence.
      log(`unhandled: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) reply(res, 500, { error: "internal error" });
    });
  };
}
