/** A registry model name (also the serving endpoint's name, so it becomes a URL) and an alias name. Shared by deploy.endpoint, deploy.batch and evaluate. */
import { z } from "zod";

export const REGISTRY_NAME = /^[a-z0-9][a-z0-9-_]{0,62}$/;
/** An alias of a registry model version (champion, challenger, …). */
export const ALIAS_NAME = /^[a-z][a-z0-9-_]{0,31}$/;

export function registryName(field: string) {
  return z.string({ error: `${field} is required` }).regex(REGISTRY_NAME, `${field} must be lowercase letters, digits, '-' or '_' (it becomes a URL)`);
}

/**
 * The registry name a pipeline's model gets when no node names one: the
 * pipeline's name made URL-safe ("Flight delay" → "flight-delay").
 */
export function defaultRegistryName(pipelineName: string): string {
  const slug = pipelineName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+/, "")
    .slice(0, 63)
    .replace(/[-_]+$/, "");
  return slug || "model";
}

/** The field of a deploy node that names its registry model: optional, the pipeline's name by default. */
export function deployRegistryName() {
  return registryName("model")
    .optional()
    .meta({ title: "Registry name" })
    .describe("Name of the model in the registry, also the serving endpoint's (/v2/models/<name>); empty: the pipeline's name, made URL-safe");
}

/** The registry name of the first deploy.endpoint downstream, else the pipeline's default: the model evaluate and approval steps look up. */
export function registryNameDownstream(pipeline: { name: string; downstream: { type: string; config: Record<string, unknown> }[] }): string {
  const deploy = pipeline.downstream.find((n) => n.type === "deploy.endpoint");
  return typeof deploy?.config.model === "string" ? deploy.config.model : defaultRegistryName(pipeline.name);
}
