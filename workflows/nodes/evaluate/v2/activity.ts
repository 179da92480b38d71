import type { z } from "zod";
import definition, { CHAMPION_ALIAS } from "./definition";
import { defineActivity, type StepContext } from "../../step-context";
import { evaluateInput, formatMetrics, scoreModel } from "../score";
import { getAliasedVersion } from "../../../../db/queries/models";
import { DataError } from "../../../ml/types";
import type { MetricsRef } from "../../../spec/refs";

type Config = z.infer<typeof definition.config>;
/** Which champion the comparison uses: part of the cache key, so a new champion is never served a cached comparison. */
type Facts = { registryName: string; champion: { version: number; sha256: string } | null } | undefined;

async function facts(ctx: StepContext<Config, Facts>): Promise<Facts> {
  if (!ctx.config.compareWithChampion) return undefined;
  // The compiler fills registryName in (deploy's model, else the pipeline's name); a plan without it is a bug.
  const name = ctx.config.registryName;
  if (!name) throw new Error(`step ${ctx.nodeId}: compareWithChampion is on but the plan has no registryName`);
  const row = await getAliasedVersion(ctx.deps.db, ctx.teamId, name, CHAMPION_ALIAS);
  return { registryName: name, champion: row ? { version: row.version, sha256: row.sha256 } : null };
}

export default defineActivity<Config, Facts>(
  definition,
  async (ctx) => {
    const { metrics, dataset } = await evaluateInput(ctx);
    let champion: MetricsRef["champion"] = null;
    const f = ctx.facts;
    if (f && !f.champion) {
      ctx.log(`${f.registryName} has no ${CHAMPION_ALIAS} yet: nothing to compare with`);
    } else if (f?.champion) {
      const row = await getAliasedVersion(ctx.deps.db, ctx.teamId, f.registryName, CHAMPION_ALIAS);
      // The alias may have moved since the cache key was made: score the version the key names.
      const version = row?.version === f.champion.version ? row : null;
      if (!version) throw new Error(`${f.registryName}'s ${CHAMPION_ALIAS} moved while this step started; retrying`);
      const label = `${f.registryName} v${version.version} (${CHAMPION_ALIAS})`;
      try {
        if (version.manifest.task !== metrics.task) throw new DataError(`it is a ${version.manifest.task} model and this one is a ${metrics.task} model`);
        const scored = await scoreModel(ctx, dataset, version.manifest, () => ctx.deps.store.read(version.artifactUri));
        champion = { version: version.version, values: scored.values };
        for (const [k, v] of Object.entries(scored.values)) ctx.metric(`${CHAMPION_ALIAS}.${k}`, v);
        ctx.log(`${label} on the same ${scored.rows} rows: ${formatMetrics(scored.values)}`);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        ctx.log(`${label} cannot be compared on this dataset: ${err.message}`, "warn");
      }
    }
    return { metrics: { ...metrics, champion } };
  },
  facts,
);
