/**
 * `npm run setup:temporal`: make sure the Temporal CLI is available (see
 * scripts/temporal-cli.ts for the lookup order) and print where it is.
 */
import { execFileSync } from "node:child_process";
import { ensureTemporalCli, TemporalCliNotFoundError } from "./temporal-cli";

try {
  const cli = await ensureTemporalCli({ log: (m) => console.log(m) });
  let version = "";
  try {
    version = execFileSync(cli, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    /* the path is what matters */
  }
  console.log(`Temporal CLI: ${cli}${version ? ` (${version})` : ""}`);
} catch (e) {
  console.error(e instanceof TemporalCliNotFoundError ? e.message : `Temporal CLI setup failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
