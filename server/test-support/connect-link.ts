/**
 * What the Office dialog does with the pane's single-use connect link, for tests and benchmarks
 * against the emulator with auto-consent: /auth/start (sets the flow's cookie) → the emulator's
 * /authorize → our /auth/callback. Throws, with the answer's status and body, at the first step
 * that does not answer as it should.
 */
export async function followConnectLink(url: string, productUrl?: string): Promise<void> {
  const start = await fetch(url, { redirect: "manual" });
  if (start.status !== 302) throw new Error(`auth start answered ${start.status}: ${(await start.text()).slice(0, 300)}`);
  const cookie = start.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const authorize = await fetch(start.headers.get("location")!, { redirect: "manual" });
  if (authorize.status !== 302) throw new Error(`authorize answered ${authorize.status}: ${(await authorize.text()).slice(0, 300)}`);
  const callback = new URL(authorize.headers.get("location")!);
  if (productUrl !== undefined && callback.origin !== productUrl) throw new Error(`the emulator redirected to ${callback.origin}, not the product's callback at ${productUrl}`);
  const page = await fetch(callback, { redirect: "manual", headers: { cookie } });
  if (page.status !== 200) throw new Error(`the callback answered ${page.status}: ${(await page.text()).slice(0, 300)}`);
}
