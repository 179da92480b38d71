import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { trainModelStep } from "../../_shared/train-model";

export default defineActivity<z.infer<typeof definition.config>>(definition, (ctx) =>
  trainModelStep(ctx, { trainer: "gbdt", options: { ...ctx.config, earlyStoppingRounds: ctx.config.earlyStoppingRounds ?? null } }, ctx.config.seed),
);
