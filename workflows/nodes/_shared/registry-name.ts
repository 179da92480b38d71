/** A registry model name (also the serving endpoint's name, so it becomes a URL) and an alias name. Shared by deploy.endpoint, deploy.batch and evaluate. */
import { z } from "zod";

export const REGISTRY_NAME = /^[a-z0-9][a-z0-9-_]{0,62}$/;
/** An alias of a registry model version (champion, challenger, …). */
export const ALIAS_NAME = /^[a-z][a-z0-9-_]{0,31}$/;

export function registryName(field: string) {
  return z.string({ error: `${field} is required` }).regex(REGISTRY_NAME, `${field} must be lowercase letters, digits, '-' or '_' (it becomes a URL)`);
}
