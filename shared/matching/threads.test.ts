import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildDirectoryIndex, memberContext, type MatchSettings } from "./directory";
import { decideEvent, decideMessage } from "./decide";
import { eventFactsFromGraph, messageFacts, type GraphEventLike, type PlainMessage } from "./participants";
import {
  baseSubject,
  customerActivity,
  foldEmailInteractions,
  foldMeetingInteractions,
  groupConversations,
  occurrenceKey,
  type EventRecord,
  type MessageRecord,
} from "./threads";
import { testDirectory } from "./fixtures";

const index = buildDirectoryIndex(testDirectory());
const H = 3_600_000;
const T = Date.parse("2024-05-01T09:00:00Z");

function msg(
  mailbox: string,
  id: string,
  m: PlainMessage & { imid?: string; conv?: string; subject?: string; at: number },
  settings: Partial<MatchSettings> = {},
): MessageRecord {
  return {
    mailboxMemberId: mailbox,
    id,
    internetMessageId: m.imid ?? null,
    conversationId: m.conv ?? null,
    at: m.at,
    subject: m.subject ?? null,
    decision: decideMessage(messageFacts(m), index, memberContext(index, mailbox, settings)),
  };
}

function evt(mailbox: string, id: string, e: GraphEventLike, ids: Partial<EventRecord>, start: number): EventRecord {
  return {
    mailboxMemberId: mailbox,
    id,
    start,
    end: start + H,
    subject: "Quarterly review",
    ...ids,
    decision: decideEvent(eventFactsFromGraph(e), index, memberContext(index, mailbox)),
  };
}

test("threads: a message seen in two connected mailboxes counts once", () => {
  const m = { from: "jane@northwind.io", to: ["alice@acme.com", "tom@northwind.io"], imid: "<1@nw>", conv: "CONV-A", subject: "Renewal", at: T };
  const records = [msg("m1", "a1", m), msg("m2", "b1", m)];
  assert.equal(records[0]!.decision.direction, "sent");
  assert.equal(records[1]!.decision.direction, "received");
  const out = foldEmailInteractions(records);
  assert.equal(out.length, 1);
  const it = out[0]!;
  assert.equal(it.customerId, "c1");
  assert.equal(it.messageCount, 1);
  assert.equal(it.sources.length, 2);
  assert.deepEqual(it.teamMemberIds, ["m1", "m2"]);
  // Team perspective: a team member sent it, whichever mailbox it came from.
  assert.equal(it.lastDirection, "sent");
  assert.equal(it.lastEmailReplyAt, null);
  assert.equal(it.subject, "Renewal");
  assert.equal(it.conversationKey, "<1@nw>");
  assert.equal(it.id, "email:c1:<1@nw>");
});

test("threads: conversations that share a message are one conversation (union across mailboxes)", () => {
  const first = { from: "alice@acme.com", to: ["jane@northwind.io"], imid: "<1@acme>", conv: "JANE-CONV", subject: "Onboarding", at: T };
  const shared = { from: "jane@northwind.io", to: ["alice@acme.com"], cc: ["tom@northwind.io"], imid: "<2@nw>", subject: "RE: Onboarding", at: T + H };
  const third = { from: "alice@acme.com", to: ["tom@northwind.io"], imid: "<3@acme>", conv: "TOM-CONV", subject: "RE: Onboarding", at: T + 2 * H };
  const records = [
    msg("m1", "a1", first),
    msg("m1", "a2", { ...shared, conv: "JANE-CONV" }),
    msg("m2", "b2", { ...shared, conv: "TOM-CONV" }),
    msg("m2", "b3", third),
  ];
  const groups = groupConversations(records);
  assert.equal(groups.length, 1);
  assert.equal(groups[0]!.key, "<1@acme>");
  const out = foldEmailInteractions(records);
  assert.equal(out.length, 1);
  const it = out[0]!;
  assert.equal(it.messageCount, 3);
  assert.equal(it.firstAt, T);
  assert.equal(it.lastAt, T + 2 * H);
  assert.equal(it.lastDirection, "received");
  assert.equal(it.lastEmailReplyAt, T + 2 * H);
  assert.equal(it.subject, "Onboarding");
  assert.deepEqual(it.messageKeys, ["m:<1@acme>", "m:<2@nw>", "m:<3@acme>"]);
  assert.deepEqual([...it.teamMemberIds].sort(), ["m1", "m2"]);
});

test("threads: direction of the last message and the last email reply", () => {
  const a = msg("m1", "1", { from: "alice@acme.com", to: ["jane@northwind.io"], imid: "<a>", conv: "C", at: T });
  const b = msg("m1", "2", { from: "jane@northwind.io", to: ["alice@acme.com"], imid: "<b>", conv: "C", at: T + H });
  let it = foldEmailInteractions([a])[0]!;
  assert.equal(it.lastDirection, "received");
  assert.equal(it.lastEmailReplyAt, T);
  it = foldEmailInteractions([b, a])[0]!;
  assert.equal(it.lastDirection, "sent");
  assert.equal(it.lastAt, T + H);
  assert.equal(it.lastEmailReplyAt, T, "the member's own reply is not an email reply");
  assert.equal(it.messageCount, 2);
});

test("threads: a conversation with two customers gives each its own interaction and its own last reply", () => {
  const a = msg("m1", "1", { from: "jane@northwind.io", to: ["alice@acme.com", "bob@globex.com"], imid: "<a>", conv: "C", at: T });
  const b = msg("m1", "2", { from: "bob@globex.com", to: ["jane@northwind.io", "alice@acme.com"], imid: "<b>", conv: "C", at: T + H });
  const c = msg("m1", "3", { from: "jane@northwind.io", to: ["bob@globex.com"], imid: "<c>", conv: "C", at: T + 2 * H });
  const out = foldEmailInteractions([a, b, c]);
  assert.deepEqual(out.map((i) => [i.customerId, i.messageCount, i.lastEmailReplyAt, i.lastDirection]), [
    ["c1", 2, null, "received"],
    ["c2", 3, T + H, "sent"],
  ]);
  assert.deepEqual(out[0]!.contactUserIds, ["u1"]);
});

test("threads: only synced copies count; a bcc seen in the sender's copy adds its customer", () => {
  const base = { from: "jane@northwind.io", to: ["alice@acme.com", "tom@northwind.io"], imid: "<x>", conv: "C", at: T };
  const senderCopy = msg("m1", "s", { ...base, bcc: ["bob@globex.com"] });
  const recipientCopy = msg("m2", "r", base);
  const internal = msg("m1", "i", { from: "jane@northwind.io", to: ["tom@northwind.io"], imid: "<y>", conv: "C", at: T + H });
  assert.equal(internal.decision.sync, false);
  const out = foldEmailInteractions([recipientCopy, internal, senderCopy]);
  assert.deepEqual(out.map((i) => `${i.customerId}:${i.messageCount}:${i.sources.length}`), ["c1:1:2", "c2:1:1"]);
  assert.equal(out[0]!.lastAt, T, "the internal message does not move the last message time");
});

test("threads: copies that disagree on time use the earliest; result is independent of input order", () => {
  const m = { from: "alice@acme.com", to: ["jane@northwind.io", "tom@northwind.io"], imid: "<t>", conv: "C" };
  const r1 = msg("m1", "1", { ...m, at: T + 5000 });
  const r2 = msg("m2", "2", { ...m, at: T });
  const later = msg("m1", "3", { from: "jane@northwind.io", to: ["alice@acme.com"], imid: "<u>", conv: "C", at: T + H });
  const one = foldEmailInteractions([r1, r2, later]);
  const two = foldEmailInteractions([later, r2, r1]);
  assert.deepEqual(one, two);
  assert.equal(one[0]!.firstAt, T);
  assert.equal(one[0]!.lastEmailReplyAt, T);
});

test("threads: messages without ids stay on their own", () => {
  const a = msg("m1", "1", { from: "alice@acme.com", to: ["jane@northwind.io"], at: T });
  const b = msg("m1", "2", { from: "alice@acme.com", to: ["jane@northwind.io"], at: T + H });
  assert.equal(groupConversations([a, b]).length, 2);
  assert.equal(foldEmailInteractions([a, b]).length, 2);
});

test("threads: reply and forward prefixes are stripped from the subject", () => {
  assert.equal(baseSubject("RE: Fwd: SV: Renewal 2025"), "Renewal 2025");
  assert.equal(baseSubject("AW:Angebot"), "Angebot");
  assert.equal(baseSubject("Re[2]: Pricing"), "Pricing");
  assert.equal(baseSubject("Results of Q2"), "Results of Q2");
  assert.equal(baseSubject(null), "");
});

const meeting = (extra: Partial<GraphEventLike> = {}): GraphEventLike => ({
  type: "occurrence",
  organizer: { emailAddress: { address: "jane@northwind.io" } },
  attendees: [
    { type: "required", emailAddress: { address: "alice@acme.com" } },
    { type: "required", emailAddress: { address: "tom@northwind.io" } },
  ],
  ...extra,
});

test("meetings: one occurrence in two calendars is one interaction; each occurrence is its own", () => {
  const records = [
    evt("m1", "j-occ1", meeting(), { iCalUId: "ICAL-1" }, T),
    evt("m2", "t-occ1", meeting({ responseStatus: { response: "accepted" } }), { iCalUId: "ICAL-1" }, T),
    evt("m1", "j-occ2", meeting(), { iCalUId: "ICAL-2" }, T + 7 * 24 * H),
  ];
  const out = foldMeetingInteractions(records);
  assert.equal(out.length, 2);
  assert.deepEqual(out.map((m) => [m.occurrenceKey, m.sources.length]), [["i:ICAL-1", 2], ["i:ICAL-2", 1]]);
  assert.deepEqual(out[0]!.teamMemberIds, ["m1", "m2"]);
  assert.equal(out[0]!.counted, true);
});

test("meetings: without iCalUId, the series uid and original start identify the occurrence", () => {
  assert.equal(
    occurrenceKey({ seriesUid: "UID-9", originalStart: "2024-05-01T09:00:00Z", mailboxMemberId: "m1", id: "x", start: 0 }),
    occurrenceKey({ seriesUid: "UID-9", originalStart: T, mailboxMemberId: "m2", id: "y", start: 0 }),
  );
  assert.notEqual(
    occurrenceKey({ seriesUid: "UID-9", originalStart: T, mailboxMemberId: "m1", id: "x", start: 0 }),
    occurrenceKey({ seriesUid: "UID-9", originalStart: T + H, mailboxMemberId: "m1", id: "x", start: 0 }),
  );
  assert.equal(occurrenceKey({ mailboxMemberId: "m1", id: "x", start: 0 }), "g:m1/x");
});

test("meetings: cancelled is marked and not counted; a decliner is not a team member involved", () => {
  const records = [
    evt("m1", "a", meeting({ isCancelled: true }), { iCalUId: "C-1" }, T),
    evt("m2", "b", meeting({ responseStatus: { response: "declined" } }), { iCalUId: "C-1" }, T),
  ];
  const out = foldMeetingInteractions(records);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.cancelled, true);
  assert.equal(out[0]!.counted, false);
  assert.deepEqual(out[0]!.teamMemberIds, ["m1"]);
});

test("meetings: when copies disagree, the organiser's own copy gives the time and subject", () => {
  // Tom (m2) moved his meeting; Jane's (m1) calendar still shows the old time and title.
  const byTom = meeting({ organizer: { emailAddress: { address: "tom@northwind.io" } } });
  const janes = { ...evt("m1", "j", byTom, { iCalUId: "MOVED-1" }, T), subject: "Kick-off (old)" };
  const toms = { ...evt("m2", "t", byTom, { iCalUId: "MOVED-1" }, T + 2 * H), subject: "Kick-off" };
  assert.equal(toms.decision.fromOwner, true);
  assert.equal(janes.decision.fromOwner, false);
  for (const records of [[janes, toms], [toms, janes]]) {
    const [it] = foldMeetingInteractions(records);
    assert.equal(it!.start, T + 2 * H);
    assert.equal(it!.end, T + 3 * H);
    assert.equal(it!.subject, "Kick-off");
    assert.deepEqual(new Set(it!.teamMemberIds), new Set(["m1", "m2"]));
  }
});

test("meetings: a meeting only the member declined is not an interaction", () => {
  const out = foldMeetingInteractions([evt("m2", "b", meeting({ responseStatus: { response: "declined" } }), { iCalUId: "D-1" }, T)]);
  assert.equal(out.length, 0);
});

test("activity: last interaction ignores cancelled and future meetings; last email reply is per customer", () => {
  const a = msg("m1", "1", { from: "alice@acme.com", to: ["jane@northwind.io"], imid: "<a>", conv: "C", at: T });
  const b = msg("m1", "2", { from: "jane@northwind.io", to: ["bob@globex.com"], imid: "<b>", conv: "D", at: T + H });
  const emails = foldEmailInteractions([a, b]);
  const meetings = foldMeetingInteractions([
    evt("m1", "e1", meeting(), { iCalUId: "M-1" }, T + 2 * H),
    evt("m1", "e2", meeting({ isCancelled: true }), { iCalUId: "M-2" }, T + 3 * H),
    evt("m1", "e3", meeting(), { iCalUId: "M-3" }, T + 100 * H),
  ]);
  const act = customerActivity(emails, meetings, T + 50 * H);
  assert.deepEqual(act.get("c1"), { lastInteractionAt: T + 2 * H, lastEmailReplyAt: T });
  assert.deepEqual(act.get("c2"), { lastInteractionAt: T + H, lastEmailReplyAt: null });
});

test("property: every synced copy lands in its customers' interactions, and nothing else does", () => {
  const pool = ["jane@northwind.io", "tom@northwind.io", "alice@acme.com", "bob@globex.com", "shared@partner.com", "stranger@other.com", "finance@northwind.io", "carol@initech.com"];
  const addr = fc.constantFrom(...pool);
  const message = fc.record({
    mailbox: fc.constantFrom("m1", "m2"),
    imid: fc.integer({ min: 0, max: 12 }),
    conv: fc.integer({ min: 0, max: 4 }),
    from: addr,
    to: fc.array(addr, { minLength: 1, maxLength: 3 }),
    bcc: fc.array(addr, { maxLength: 1 }),
    at: fc.integer({ min: 0, max: 1000 }),
    unknown: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(message, { maxLength: 25 }), (list) => {
      // The same internetMessageId always carries the same content; mailboxes differ.
      const content = new Map<number, (typeof list)[number]>();
      const records = list.map((m, i) => {
        const c = content.get(m.imid) ?? m;
        content.set(m.imid, c);
        return msg(m.mailbox, `${m.mailbox}-${i}`, { from: c.from, to: c.to, bcc: m.mailbox === "m1" ? c.bcc : [], imid: `<${m.imid}>`, conv: `${m.mailbox}-${c.conv}`, at: T + c.at * H }, { syncUnknownSender: m.unknown });
      });
      const out = foldEmailInteractions(records);
      const landed = new Set(out.flatMap((it) => it.messageKeys.map((k) => `${it.customerId}|${k}`)));
      for (const r of records) {
        if (!r.decision.sync) continue;
        for (const h of r.decision.customers) assert.ok(landed.has(`${h.customerId}|m:${r.internetMessageId}`));
      }
      for (const it of out) {
        assert.equal(it.messageCount, it.messageKeys.length);
        assert.equal(new Set(it.messageKeys).size, it.messageKeys.length, "a message counts once");
        for (const k of it.messageKeys) {
          const copies = records.filter((r) => `m:${r.internetMessageId}` === k);
          assert.ok(copies.some((r) => r.decision.sync && r.decision.customers.some((h) => h.customerId === it.customerId)));
        }
        assert.ok(it.firstAt <= it.lastAt);
        if (it.lastEmailReplyAt !== null) assert.ok(it.lastEmailReplyAt <= it.lastAt && it.lastEmailReplyAt >= it.firstAt);
      }
    }),
    { numRuns: 200, seed: 7 },
  );
});
