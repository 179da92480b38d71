/**
 * How every process connects to Temporal (the web app's client, workers):
 * the address, TLS (server CA, mTLS client certificate, SNI) and an API key,
 * from the TEMPORAL_* variables. A dev server needs none of them; a cluster
 * or Temporal Cloud needs some.
 */
import fs from "node:fs";
import { env, type Env } from "./env";

export interface TemporalConnectionOptions {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

export function temporalConnectionOptions(e: Env = env()): TemporalConnectionOptions {
  const read = (variable: "TEMPORAL_TLS_CA" | "TEMPORAL_TLS_CERT" | "TEMPORAL_TLS_KEY") => {
    const file = e[variable];
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(`${variable}=${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  };
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    throw new Error(`TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS): set both or neither`);
  }
  const ca = read("TEMPORAL_TLS_CA");
  const crt = read("TEMPORAL_TLS_CERT");
  const key = read("TEMPORAL_TLS_KEY");
  const tls = e.TEMPORAL_TLS === "1" || Boolean(ca || crt || e.TEMPORAL_TLS_SERVER_NAME || e.TEMPORAL_API_KEY);
  if (e.TEMPORAL_TLS === "0" && (ca || crt || e.TEMPORAL_API_KEY)) {
    throw new Error("TEMPORAL_TLS=0 but TLS settings (TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT or TEMPORAL_API_KEY) are set: remove one or the other");
  }
  return {
    address: e.temporalAddress,
    ...(tls
      ? {
          tls: {
            ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: e.TEMPORAL_TLS_SERVER_NAME } : {}),
            ...(ca ? { serverRootCACertificate: ca } : {}),
            ...(crt && key ? { clientCertPair: { crt, key } } : {}),
          },
        }
      : {}),
    ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
  };
}
