import http from "node:http";
import https from "node:https";
import tls from "node:tls";

/**
 * The emulator's outbound HTTP: $batch loopback sub-requests and change-notification deliveries.
 * HTTPS trusts the system roots plus the local development CA (the same trust NODE_EXTRA_CA_CERTS
 * gives the rest of the project), so receivers can be served with the localhost certificate.
 */
export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class TimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
  }
}

export interface HttpClient {
  request(options: {
    url: string;
    method: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    timeoutMs?: number;
  }): Promise<HttpResult>;
  close(): void;
}

export function createHttpClient(options: { extraCa?: string; keepAlive?: boolean } = {}): HttpClient {
  const ca = options.extraCa ? [...tls.rootCertificates, options.extraCa] : undefined;
  const httpsAgent = new https.Agent({ keepAlive: options.keepAlive ?? false, ca });
  const httpAgent = new http.Agent({ keepAlive: options.keepAlive ?? false });
  return {
    request({ url, method, headers = {}, body, timeoutMs }) {
      const target = new URL(url);
      const isHttps = target.protocol === "https:";
      const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
      const finalHeaders: Record<string, string> = { ...headers };
      if (payload) finalHeaders["content-length"] = String(payload.length);
      return new Promise<HttpResult>((resolve, reject) => {
        const req = (isHttps ? https : http).request(
          target,
          { method, headers: finalHeaders, agent: isHttps ? httpsAgent : httpAgent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              clearTimeout(timer);
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
            });
            res.on("error", (err) => {
              clearTimeout(timer);
              reject(err);
            });
            res.on("close", () => {
              clearTimeout(timer);
              if (!res.complete) reject(new Error("response ended before it was complete"));
            });
          },
        );
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                req.destroy(new TimeoutError(timeoutMs));
              }, timeoutMs);
        req.on("error", (err) => {
          clearTimeout(timer);
          reject(err);
        });
        req.end(payload);
      });
    },
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}
