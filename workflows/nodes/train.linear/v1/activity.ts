import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { trainModelStep } from "../../_shared/train-model";

export default defineActivity<z.infer<typeof definition.config>>(definition, (ctx) =>
  trainModelStep(
    ctx,
    { trainer: "linear", options: { task: ctx.config.task, target: ctx.config.target, features: ctx.config.features, l2: ctx.config.l2 } },
    null,
  ),
);
