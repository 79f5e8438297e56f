import { Session } from "node:inspector/promises";
import fs from "node:fs";
import { setup } from "./server/interactions/interactions.bench";
const s: any = setup(Number(process.argv[2] ?? 50000), 0, 200, 4);
const { db, engine, memberId, orgId } = s;
engine.directory(orgId);
const session = new Session(); session.connect();
await session.post("Profiler.enable"); await session.post("Profiler.start");
const t0 = performance.now();
for (let i = 0; i < s.mail.length; i += 500) {
  const page = s.mail.slice(i, i + 500);
  db.transaction(() => {
    for (const f of page) s.insertMail.run(memberId, f.graphId, f.internetMessageId, f.conversationId, f.receivedAt, f.sentAt, JSON.stringify(f.participants), f.receivedAt);
    engine.onFactsChanged({ memberId, upsertedMail: page, removedMailIds: [], upsertedEvents: [], removedEventIds: [] });
  })();
  if (i % 10000 === 0) console.log(i, (performance.now() - t0).toFixed(0));
}
console.log("listener ms", performance.now() - t0);
const { profile } = await session.post("Profiler.stop");
fs.writeFileSync("/tmp/listener.cpuprofile", JSON.stringify(profile));
export {}
