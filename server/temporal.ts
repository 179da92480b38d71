/** One Temporal client per process, connected lazily. */
import { Client, Connection } from "@temporalio/client";
import { env } from "../infra/env";
import { temporalConnectionOptions } from "../infra/temporal-connection";

let client: Promise<Client> | undefined;

export function temporalClient(): Promise<Client> {
  client ??= (async () => {
    const e = env();
    const connection = await Connection.connect({ ...temporalConnectionOptions(e), connectTimeout: "5s" });
    return new Client({ connection, namespace: e.TEMPORAL_NAMESPACE });
  })().catch((err) => {
    client = undefined;
    throw err;
  });
  return client;
}
