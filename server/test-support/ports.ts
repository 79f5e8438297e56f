import net from "node:net";

/**
 * A TCP port that was free a moment ago, for a process whose URL must be known before it starts
 * (the emulator registers the product's redirect URI first). Servers in one process listen on 0.
 */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
