import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { deploy } from "../deploy";

/** v1 is v2 with strategy replace (its only strategy); `model` as compiled (see DeployConfig). */
export default defineActivity<z.infer<typeof definition.config> & { model: string }>(definition, (ctx) =>
  deploy({ ...ctx, config: { ...ctx.config, strategy: "replace" } }),
);
