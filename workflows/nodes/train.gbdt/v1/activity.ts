import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { trainModelStep } from "../../_shared/train-model";
import { trainGbdt } from "../../../ml/gbdt";

export default defineActivity<z.infer<typeof definition.config>>(definition, (ctx) =>
  trainModelStep(
    ctx,
    (frame) => {
      const model = trainGbdt(frame, { ...ctx.config, earlyStoppingRounds: ctx.config.earlyStoppingRounds ?? null });
      // Gain-based importance as metrics (one per feature), drawn as bars in the run view.
      for (const f of model.featureImportance) ctx.metric(`importance.${f.name}`, f.gain);
      return model;
    },
    ctx.config.seed,
  ),
);
