/** Starting an Express app on an ephemeral port (HTTP or HTTPS with the dev certificates) for tests. */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { RequestListener } from "node:http";
import { ensureDevCertificates } from "../../emulator/tls/dev-certs";

export interface RunningServer {
  url: string;
  port: number;
  /** Attach the request handler after the URL is known (the app's config needs its own URL). */
  setHandler(handler: RequestListener): void;
  close(): Promise<void>;
}

export async function listen(options: { tls: boolean }): Promise<RunningServer> {
  let handler: RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const dispatch: RequestListener = (req, res) => handler(req, res);
  const server = options.tls
    ? (() => {
        const certs = ensureDevCertificates();
        return https.createServer({ cert: certs.cert, key: certs.key }, dispatch);
      })()
    : http.createServer(dispatch);
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? "https" : "http"}://localhost:${port}`,
    port,
    setHandler(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
