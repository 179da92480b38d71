/** `webhook`: `POST /api/v1/hooks/{token}` starts a run; the JSON body is its params. */
import { z } from "zod";
import { defineTrigger } from "./types";

export const webhookTrigger = defineTrigger({
  type: "webhook",
  label: "Webhook",
  summary: "Runs the latest saved version when POST /api/v1/hooks/{token} is called; the JSON body is the run's params",
  schema: z.object({}),
  describe: () => "on POST /api/v1/hooks/{token} (the body is the run's params)",
});
