/** Starting and stopping the model server: binding, warming the deployments, draining connections. */
import type http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../infra/log";
import type { ModelRegistry } from "./model-registry";
import type { ServingSource } from "./source";

/** What the request path needs to know of the lifecycle. */
export interface ServerState {
  /** close() has begun: answers carry `Connection: close`. */
  closing: boolean;
}

/** Listens on `host:port`; resolves with the bound address. */
export async function bind(server: http.Server, port: number, host: string): Promise<{ url: string; port: number; host: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return { url, port: addr.port, host: addr.address };
}

/** Loads every active deployment's session, so the first requests find them warm. Failing to list them is logged, not fatal. */
export async function preloadDeployments(source: ServingSource, registry: ModelRegistry, log: Logger): Promise<void> {
  if (!source.listDeployments) return;
  try {
    const names = await source.listDeployments();
    await registry.preload(names.map((n): [string, undefined] => [n, undefined]));
  } catch (e) {
    log.warn({ err: e }, `preload skipped: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Stops accepting and lets in-flight requests finish: keep-alive sockets close once idle, all of them after 5 s. */
export async function drain(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets: close them as soon as their in-flight request is answered.
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const force = setTimeout(() => server.closeAllConnections(), 5_000);
  force.unref();
  await closed; // the callback runs even when the server was never listening
  clearInterval(idle);
  clearTimeout(force);
}
