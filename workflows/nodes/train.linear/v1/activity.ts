import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { trainModelStep } from "../../_shared/train-model";
import { trainLinear } from "../../../ml/linear/train-linear";

export default defineActivity<z.infer<typeof definition.config>>(definition, (ctx) =>
  trainModelStep(ctx, (frame) => trainLinear(frame, { task: ctx.config.task, target: ctx.config.target, features: ctx.config.features, l2: ctx.config.l2 }), null),
);
