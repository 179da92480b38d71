import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { runBatchScoring } from "../batch";

export default defineActivity<z.infer<typeof definition.config>>(definition, (ctx) => runBatchScoring(ctx));
