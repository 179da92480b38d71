import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { evaluateInput } from "../score";

export default defineActivity<z.infer<typeof definition.config>>(definition, async (ctx) => {
  const { metrics } = await evaluateInput(ctx);
  return { metrics };
});
