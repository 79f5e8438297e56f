/**
 * A client for the emulator's control API (/_emulator/…) as tests and benchmarks use it: JSON in,
 * JSON out, a non-2xx answer thrown with its body. `controlUrl` is the emulator's URL + "/_emulator".
 */
export type EmulatorControl = <T = any>(path: string, body?: unknown, method?: string) => Promise<T>;

export function emulatorControl(controlUrl: string): EmulatorControl {
  return async (path, body, method = body === undefined ? "GET" : "POST") => {
    const res = await fetch(`${controlUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as never;
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control ${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as never;
  };
}
