/**
 * Issue 2: how fast the emulator serves a full delta enumeration of a 50,000-message mailbox, so that it is
 * never the bottleneck of the product's own benchmarks. The emulator runs in its own process; every folder
 * is enumerated with Prefer: odata.maxpagesize at the emulator's (Graph's list) maximum of 1,000, over
 * HTTPS with a real bearer token, the $select the sync uses.
 */
import { spawnEmulator } from "../support/spawn-emulator";
import { atLeast, timeMs, untargeted, type BenchSuite } from "../harness";

const MESSAGES = 50_000;
const SELECT = "$select=id,internetMessageId,conversationId,receivedDateTime,sentDateTime,isDraft,from,sender,toRecipients,ccRecipients,bccRecipients,subject,webLink,parentFolderId";

const suite: BenchSuite = {
  name: "emulator",
  async run() {
    // The product reads a mailbox with up to 4 requests in flight (Graph's per-mailbox limit), so the
    // emulator's throughput at that concurrency is what decides whether it can bottleneck the product's
    // benchmarks; the strictly sequential read is reported beside it.
    const concurrent = await enumerateOnce(4, true);
    const sequential = await enumerateOnce(1, false);
    const rate = (r: Enumeration) => r.count / (r.ms / 1000);
    const describe = (r: Enumeration) => `${r.count.toLocaleString("en-US")} messages in ${r.folders} folders, ${r.requests} requests, ${Math.round(r.ms)} ms`;
    return [
      atLeast("full delta enumeration of a 50,000-message mailbox, first read, 4 requests in flight as the sync reads (emulator in its own process, HTTPS, pages of 1,000)", rate(concurrent.first), "messages/s", 20_000, describe(concurrent.first)),
      atLeast("the same enumeration again (server-side renderings cached)", rate(concurrent.again!), "messages/s", 20_000, `${Math.round(concurrent.again!.ms)} ms`),
      untargeted("the first read strictly sequentially, one request at a time (a fresh emulator)", rate(sequential.first), "messages/s", describe(sequential.first)),
    ];
  },
};
export default suite;

interface Enumeration {
  count: number;
  requests: number;
  folders: number;
  ms: number;
}

/** Spawns an emulator, enumerates every folder by delta with `inFlight` folders at a time (twice if asked), stops it. */
async function enumerateOnce(inFlight: number, again: boolean): Promise<{ first: Enumeration; again?: Enumeration }> {
  const emulator = await spawnEmulator(MESSAGES, 10);
  try {
    const headers = { Authorization: `Bearer ${emulator.token}`, Prefer: 'odata.maxpagesize=1000, IdType="ImmutableId"' };
    const getJson = async (url: string) => {
      const response = await fetch(url, { headers });
      if (!response.ok) throw new Error(`${url} → ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const folders: string[] = [];
    const pending = [`${emulator.graphUrl}/me/mailFolders?$top=100`];
    while (pending.length) {
      const page = await getJson(pending.shift()!);
      for (const f of page.value as { id: string; childFolderCount?: number }[]) {
        folders.push(f.id);
        if (f.childFolderCount) pending.push(`${emulator.graphUrl}/me/mailFolders/${f.id}/childFolders?$top=100`);
      }
      if (page["@odata.nextLink"]) pending.push(page["@odata.nextLink"] as string);
    }
    const enumerate = async (): Promise<Enumeration> => {
      let count = 0;
      let requests = 0;
      const queue = [...folders];
      const worker = async () => {
        for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
          let next: string | undefined = `${emulator.graphUrl}/me/mailFolders/${folder}/messages/delta?${SELECT}`;
          while (next) {
            const page = await getJson(next);
            requests++;
            count += (page.value as unknown[]).length;
            next = page["@odata.nextLink"] as string | undefined;
          }
        }
      };
      const started = await timeMs(() => Promise.all(Array.from({ length: inFlight }, worker)));
      return { count, requests, folders: folders.length, ms: started.ms };
    };
    const first = await enumerate();
    return { first, again: again ? await enumerate() : undefined };
  } finally {
    await emulator.stop();
  }
}
