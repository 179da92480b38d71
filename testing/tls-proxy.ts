/**
 * A TLS front for a plain gRPC server, like a cluster's ingress: terminates
 * TLS (ALPN h2, optionally requiring a client certificate signed by the CA:
 * mTLS) and forwards the bytes to the plain HTTP/2 server behind it. Certs
 * are made with the openssl CLI in a temp dir.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA, a server certificate for localhost / 127.0.0.1 and a client certificate, all signed by the CA. */
export function makeCerts(): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-tls-"));
  const p = (f: string) => path.join(dir, f);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=conveyor-test-ca");
  for (const [name, cn, ext] of [
    ["server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"],
    ["client", "conveyor-worker", "extendedKeyUsage=clientAuth\n"],
  ] as const) {
    fs.writeFileSync(p(`${name}.ext`), `basicConstraints=CA:FALSE\n${ext}`);
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
  }
  return { dir, ca: p("ca.pem"), serverCert: p("server.pem"), serverKey: p("server.key"), clientCert: p("client.pem"), clientKey: p("client.key") };
}

export interface TlsProxy {
  address: string;
  /** TLS handshakes refused (e.g. no client certificate). */
  refused: number;
  close(): Promise<void>;
}

export async function startTlsProxy(target: string, certs: TestCerts, opts: { requireClientCert?: boolean } = {}): Promise<TlsProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
  const sockets = new Set<net.Socket>();
  const state = { refused: 0 };
  const server = tls.createServer(
    {
      cert: fs.readFileSync(certs.serverCert),
      key: fs.readFileSync(certs.serverKey),
      ca: fs.readFileSync(certs.ca),
      requestCert: opts.requireClientCert ?? false,
      rejectUnauthorized: opts.requireClientCert ?? false,
      ALPNProtocols: ["h2"],
    },
    (client) => {
      const upstream = net.connect(port, host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    },
  );
  server.on("tlsClientError", () => state.refused++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
