/**
 * Issue 2: how fast the emulator serves a full delta enumeration of a 50,000-message mailbox, so that it is
 * never the bottleneck of the product's own benchmarks. The emulator runs in its own process; every folder
 * is enumerated with Prefer: odata.maxpagesize at the emulator's (Graph's list) maximum of 1,000, over
 * HTTPS with a real bearer token, the $select the sync uses.
 */
import { spawnEmulator } from "../support/spawn-emulator";
import { atLeast, timeMs, type BenchSuite } from "../harness";

const MESSAGES = 50_000;
const SELECT = "$select=id,internetMessageId,conversationId,receivedDateTime,sentDateTime,isDraft,from,sender,toRecipients,ccRecipients,bccRecipients,subject,webLink,parentFolderId";

const suite: BenchSuite = {
  name: "emulator",
  async run() {
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
      const enumerate = async () => {
        let count = 0;
        let requests = 0;
        for (const folder of folders) {
          let next: string | undefined = `${emulator.graphUrl}/me/mailFolders/${folder}/messages/delta?${SELECT}`;
          while (next) {
            const page = await getJson(next);
            requests++;
            count += (page.value as unknown[]).length;
            next = page["@odata.nextLink"] as string | undefined;
          }
        }
        return { count, requests };
      };
      const first = await timeMs(enumerate);
      const second = await timeMs(enumerate);
      const rate = (r: typeof first) => r.result.count / (r.ms / 1000);
      return [
        atLeast("full delta enumeration of a 50,000-message mailbox, first read (emulator in its own process, HTTPS, sequential pages of 1,000)", rate(first), "messages/s", 20_000, `${first.result.count.toLocaleString("en-US")} messages in ${folders.length} folders, ${first.result.requests} requests, ${Math.round(first.ms)} ms`),
        atLeast("the same enumeration again (server-side renderings cached)", rate(second), "messages/s", 20_000, `${Math.round(second.ms)} ms`),
      ];
    } finally {
      await emulator.stop();
    }
  },
};
export default suite;
