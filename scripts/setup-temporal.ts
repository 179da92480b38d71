/**
 * `npm run setup:temporal`: acquire the pinned Temporal CLI ahead of time (CI,
 * a container build), printing each step; see scripts/temporal-cli.ts.
 */
import { ensureTemporalCli, TemporalCliNotFoundError } from "./temporal-cli";

const t0 = Date.now();
try {
  const cli = await ensureTemporalCli({ log: (m) => console.log(`[temporal] ${m}`) });
  console.log(`[temporal] Temporal CLI ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${cli}`);
} catch (e) {
  console.error(e instanceof TemporalCliNotFoundError ? e.message : `Temporal CLI setup failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
