/**
 * Next.js's start hook (runs once per server process, before any request):
 * the web app's traces, when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (infra/telemetry.ts). Next then exports its own request spans too, and the
 * REST handler's spans (server/rest/handler.ts) are their children.
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is Next's build-time constant (not configuration): the Node SDK only in the Node.js server.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startTracing } = await import("./infra/telemetry");
    startTracing("web");
  }
}
