/**
 * The interactions engine on hand-built facts (no Graph): threading, deduplication across
 * mailboxes, customers, direction and last email reply, meetings, removals and details.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { updateMemberSettings } from "../directory/member-settings";
import { createKit, type Kit } from "./test-kit";

const kits: Kit[] = [];
function kit(): Kit {
  const k = createKit();
  kits.push(k);
  return k;
}
after(() => kits.forEach((k) => k.close()));

const ids = (json: string) => JSON.parse(json) as string[];

describe("email interactions", () => {
  test("one interaction per conversation per customer", () => {
    const k = kit();
    k.mail("jane", { conv: "c1", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z", subject: "Renewal" });
    k.mail("jane", { conv: "c1", from: "alice@acme.com", to: ["jane@northwind.io"], at: "2024-06-01T11:00:00Z", subject: "RE: Renewal" });
    k.mail("jane", { conv: "c1", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-02T09:00:00Z", subject: "RE: Renewal" });
    k.mail("jane", { conv: "c2", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-03T09:00:00Z", subject: "Other topic" });
    const rows = k.interactions("acme");
    assert.equal(rows.length, 2);
    const [renewal, other] = rows;
    assert.equal(renewal!.subject, "Renewal");
    assert.equal(renewal!.message_count, 3);
    assert.equal(renewal!.first_at, "2024-06-01T10:00:00.000Z");
    assert.equal(renewal!.last_at, "2024-06-02T09:00:00.000Z");
    assert.equal(other!.message_count, 1);
    assert.equal(k.interactions("globex").length, 0);
    const participants = JSON.parse(renewal!.participants) as { address: string; kind: string }[];
    assert.deepEqual(participants.map((p) => `${p.kind}:${p.address}`).sort(), ["contact:alice@acme.com", "team_member:jane@northwind.io"]);
    assert.equal(renewal!.web_link?.startsWith("https://outlook.example/"), true);
  });

  test("a message seen in two mailboxes counts once (internetMessageId)", () => {
    const k = kit();
    k.mail("jane", { id: "j1", imid: "<shared-1@acme>", conv: "cj", from: "alice@acme.com", to: ["jane@northwind.io", "tom@northwind.io"], at: "2024-06-01T10:00:00Z" });
    k.mail("tom", { id: "t1", imid: "<shared-1@acme>", conv: "ct", from: "alice@acme.com", to: ["jane@northwind.io", "tom@northwind.io"], at: "2024-06-01T10:00:00Z" });
    const rows = k.interactions("acme");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.message_count, 1);
    assert.deepEqual(ids(rows[0]!.team_member_ids).sort(), [k.member("jane"), k.member("tom")].sort());
    const copies = k.db.prepare("SELECT member_id, graph_id, message_key FROM interaction_messages WHERE interaction_id = ? ORDER BY member_id").all(rows[0]!.id) as { message_key: string }[];
    assert.equal(copies.length, 2);
    assert.equal(new Set(copies.map((c) => c.message_key)).size, 1);
    assert.equal(k.activity("acme")?.last_email_reply_at, "2024-06-01T10:00:00.000Z");
  });

  test("conversations that share a message are one conversation", () => {
    const k = kit();
    // Jane's mailbox: X then Y in conversation cA. Tom's: Y then Z in cB. Y joins them.
    k.mail("jane", { id: "jx", imid: "<x@m>", conv: "cA", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T08:00:00Z", subject: "Kickoff" });
    k.mail("tom", { id: "tz", imid: "<z@m>", conv: "cB", from: "tom@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T12:00:00Z", subject: "RE: Kickoff" });
    assert.equal(k.interactions("acme").length, 2, "before the shared message arrives they are separate");
    k.mail("jane", { id: "jy", imid: "<y@m>", conv: "cA", from: "alice@acme.com", to: ["jane@northwind.io", "tom@northwind.io"], at: "2024-06-01T10:00:00Z" });
    k.mail("tom", { id: "ty", imid: "<y@m>", conv: "cB", from: "alice@acme.com", to: ["jane@northwind.io", "tom@northwind.io"], at: "2024-06-01T10:00:00Z" });
    const rows = k.interactions("acme");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.message_count, 3);
    assert.equal(rows[0]!.subject, "Kickoff");
    assert.equal(rows[0]!.group_key, "<x@m>");
    // Removing the bridge splits them again.
    k.removeMail("jane", "jy");
    k.removeMail("tom", "ty");
    assert.equal(k.interactions("acme").length, 2);
  });

  test("a message joins the threads of two mailboxes even where one copy did not sync", () => {
    const k = kit();
    // Only Tom syncs mail from unknown senders, so the stranger's message syncs from his copy only.
    updateMemberSettings(k.db, k.member("tom"), { syncUnknownSender: true });
    k.mail("jane", { id: "x", imid: "<x@m>", conv: "cJane", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T08:00:00Z" });
    k.mail("tom", { id: "z", imid: "<z@m>", conv: "cTom", from: "tom@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T12:00:00Z" });
    k.mail("jane", { id: "yj", imid: "<y@m>", conv: "cJane", from: "stranger@elsewhere.com", to: ["jane@northwind.io", "tom@northwind.io", "alice@acme.com"], at: "2024-06-01T10:00:00Z" });
    k.mail("tom", { id: "yt", imid: "<y@m>", conv: "cTom", from: "stranger@elsewhere.com", to: ["jane@northwind.io", "tom@northwind.io", "alice@acme.com"], at: "2024-06-01T10:00:00Z" });
    const synced = k.db.prepare("SELECT graph_id FROM interaction_facts ORDER BY graph_id").all().map((r) => (r as { graph_id: string }).graph_id);
    assert.deepEqual(synced, ["x", "yt", "z"]);
    const rows = k.interactions("acme");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.message_count, 3);

    // The same, with the copy that did not sync arriving last.
    const k2 = kit();
    updateMemberSettings(k2.db, k2.member("tom"), { syncUnknownSender: true });
    k2.mail("jane", { id: "x", imid: "<x@m>", conv: "cJane", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T08:00:00Z" });
    k2.mail("tom", { id: "z", imid: "<z@m>", conv: "cTom", from: "tom@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T12:00:00Z" });
    k2.mail("tom", { id: "yt", imid: "<y@m>", conv: "cTom", from: "stranger@elsewhere.com", to: ["jane@northwind.io", "tom@northwind.io", "alice@acme.com"], at: "2024-06-01T10:00:00Z" });
    assert.equal(k2.interactions("acme").length, 2);
    k2.mail("jane", { id: "yj", imid: "<y@m>", conv: "cJane", from: "stranger@elsewhere.com", to: ["jane@northwind.io", "tom@northwind.io", "alice@acme.com"], at: "2024-06-01T10:00:00Z" });
    const shape = (r: (typeof rows)[number]) => [r.group_key, r.message_count, r.first_at, r.last_at, r.last_direction, r.subject];
    assert.deepEqual(k2.interactions("acme").map(shape), rows.map(shape));
  });

  test("an email with contacts of two customers is on both", () => {
    const k = kit();
    k.mail("jane", { from: "jane@northwind.io", to: ["alice@acme.com"], cc: ["bob@globex.com"], at: "2024-06-01T10:00:00Z" });
    assert.equal(k.interactions("acme").length, 1);
    assert.equal(k.interactions("globex").length, 1);
  });

  test("an address on several user records links to all of them", () => {
    const k = kit();
    k.mail("jane", { from: "shared@partner.com", to: ["jane@northwind.io"], at: "2024-06-01T10:00:00Z" });
    const acme = k.interactions("acme");
    const globex = k.interactions("globex");
    assert.equal(acme.length, 1);
    assert.equal(globex.length, 1);
    assert.deepEqual(ids(acme[0]!.contact_user_ids), [k.user("pat1")]);
    assert.deepEqual(ids(globex[0]!.contact_user_ids), [k.user("pat2")]);
    assert.equal(k.activity("acme")?.last_email_reply_at, "2024-06-01T10:00:00.000Z");
    assert.equal(k.activity("globex")?.last_email_reply_at, "2024-06-01T10:00:00.000Z");
  });

  test("direction of the last message and last email reply, kept current", () => {
    const k = kit();
    k.mail("jane", { conv: "c", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z" });
    let [it] = k.interactions("acme");
    assert.equal(it!.last_direction, "sent");
    assert.equal(it!.last_reply_at, null);
    assert.equal(k.activity("acme")?.last_email_reply_at, null);
    assert.equal(k.activity("acme")?.last_interaction_at, "2024-06-01T10:00:00.000Z");

    k.mail("jane", { conv: "c", from: "alice@acme.com", to: ["jane@northwind.io"], at: "2024-06-02T10:00:00Z" });
    [it] = k.interactions("acme");
    assert.equal(it!.last_direction, "received");
    assert.equal(it!.last_reply_at, "2024-06-02T10:00:00.000Z");
    assert.equal(k.activity("acme")?.last_email_reply_at, "2024-06-02T10:00:00.000Z");

    // A colleague's message counts as "sent" for the team, and the reply time stays.
    k.mail("jane", { conv: "c", from: "tom@northwind.io", to: ["alice@acme.com", "jane@northwind.io"], at: "2024-06-03T10:00:00Z" });
    [it] = k.interactions("acme");
    assert.equal(it!.last_direction, "sent");
    assert.equal(it!.last_reply_at, "2024-06-02T10:00:00.000Z");
    assert.equal(k.activity("acme")?.last_interaction_at, "2024-06-03T10:00:00.000Z");
    const perMessage = k.db.prepare("SELECT direction, from_contact FROM interaction_messages WHERE interaction_id = ? ORDER BY at").all(it!.id);
    assert.deepEqual(
      perMessage.map((m) => ({ ...(m as object) })),
      [
        { direction: "sent", from_contact: 0 },
        { direction: "received", from_contact: 1 },
        { direction: "sent", from_contact: 0 },
      ],
    );
  });

  test("drafts, internal mail and mail without contacts do not sync, and keep nothing readable", () => {
    const k = kit();
    k.mail("jane", { from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z", draft: true });
    k.mail("jane", { from: "jane@northwind.io", to: ["tom@northwind.io"], at: "2024-06-01T10:00:00Z" });
    k.mail("jane", { from: "news@letters.example", to: ["jane@northwind.io"], at: "2024-06-01T10:00:00Z" });
    assert.equal(k.interactions().length, 0);
    const n = k.db.prepare("SELECT COUNT(*) AS n FROM interaction_facts").get() as { n: number };
    assert.equal(n.n, 0, "no details of unmatched mail are stored");
  });

  test("a removed message leaves its interaction; an aged-out one stays in the history", () => {
    const k = kit();
    const a = k.mail("jane", { conv: "c", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z" });
    const b = k.mail("jane", { conv: "c", from: "alice@acme.com", to: ["jane@northwind.io"], at: "2024-06-02T10:00:00Z" });
    k.removeMail("jane", b.graphId);
    let rows = k.interactions("acme");
    assert.equal(rows[0]!.message_count, 1);
    assert.equal(rows[0]!.last_reply_at, null);
    assert.equal(k.activity("acme")?.last_email_reply_at, null);
    k.removeMail("jane", a.graphId);
    assert.equal(k.interactions("acme").length, 0);
    assert.equal(k.activity("acme")?.last_interaction_at, null);

    // Older than the 6-month window (the kit's now is 2024-06-15): pruned by the sync, kept here.
    k.mail("jane", { id: "old", from: "alice@acme.com", to: ["jane@northwind.io"], at: "2023-12-01T10:00:00Z" });
    k.removeMail("jane", "old");
    rows = k.interactions("acme");
    assert.equal(rows.length, 1);
    const frozen = k.db.prepare("SELECT frozen FROM interaction_facts WHERE graph_id = 'old'").get() as { frozen: number };
    assert.equal(frozen.frozen, 1);
  });

  test("replaying a page changes nothing", () => {
    const k = kit();
    const spec = { id: "r1", conv: "c", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z" };
    k.mail("jane", spec);
    const before = k.interactions();
    k.mail("jane", spec);
    assert.deepEqual(k.interactions(), before);
  });
});

describe("meeting interactions", () => {
  test("each occurrence of a series is its own interaction; one occurrence is deduplicated across calendars", () => {
    const k = kit();
    for (const day of ["03", "10", "17"]) {
      k.event("jane", { id: `j-${day}`, ical: `series-1-${day}`, organizer: "jane@northwind.io", attendees: ["alice@acme.com", "tom@northwind.io"], start: `2024-05-${day}T09:00:00Z`, subject: "Weekly" });
    }
    k.event("tom", { id: "t-10", ical: "series-1-10", organizer: "jane@northwind.io", attendees: ["alice@acme.com", "tom@northwind.io"], start: "2024-05-10T09:00:00Z", subject: "Weekly" });
    const rows = k.interactions("acme");
    assert.equal(rows.length, 3);
    assert.ok(rows.every((r) => r.kind === "meeting" && r.subject === "Weekly" && r.cancelled === 0 && r.counted === 1));
    const may10 = rows.find((r) => r.first_at.startsWith("2024-05-10"))!;
    assert.deepEqual(ids(may10.team_member_ids).sort(), [k.member("jane"), k.member("tom")].sort());
    const copies = k.db.prepare("SELECT COUNT(*) AS n FROM interaction_messages WHERE interaction_id = ?").get(may10.id) as { n: number };
    assert.equal(copies.n, 2);
    assert.equal(k.activity("acme")?.last_interaction_at, "2024-05-17T09:00:00.000Z");
  });

  test("a cancelled meeting is shown as cancelled and not counted", () => {
    const k = kit();
    k.event("jane", { ical: "m1", organizer: "jane@northwind.io", attendees: ["alice@acme.com"], start: "2024-06-01T09:00:00Z" });
    k.event("jane", { ical: "m2", organizer: "jane@northwind.io", attendees: ["alice@acme.com"], start: "2024-06-05T09:00:00Z", cancelled: true });
    const rows = k.interactions("acme");
    assert.equal(rows.length, 2);
    const cancelled = rows.find((r) => r.group_key === "i:m2")!;
    assert.equal(cancelled.cancelled, 1);
    assert.equal(cancelled.counted, 0);
    assert.equal(k.activity("acme")?.last_interaction_at, "2024-06-01T09:00:00.000Z");
  });

  test("a declined meeting does not count for the member who declined it", () => {
    const k = kit();
    k.event("jane", { id: "jd", ical: "d1", organizer: "alice@acme.com", attendees: ["jane@northwind.io", "tom@northwind.io"], start: "2024-06-01T09:00:00Z", response: "accepted" });
    k.event("tom", { id: "td", ical: "d1", organizer: "alice@acme.com", attendees: ["jane@northwind.io", "tom@northwind.io"], start: "2024-06-01T09:00:00Z", response: "declined" });
    let rows = k.interactions("acme");
    assert.equal(rows.length, 1);
    assert.deepEqual(ids(rows[0]!.team_member_ids), [k.member("jane")]);
    // Only Tom's (declined) copy: no interaction at all.
    k.removeEvent("jane", "jd");
    rows = k.interactions("acme");
    assert.equal(rows.length, 0);
  });

  test("a future meeting becomes the last interaction once it has started", () => {
    const k = kit();
    k.event("jane", { ical: "f1", organizer: "jane@northwind.io", attendees: ["alice@acme.com"], start: "2024-06-01T09:00:00Z" });
    k.event("jane", { ical: "f2", organizer: "jane@northwind.io", attendees: ["alice@acme.com"], start: "2024-07-01T09:00:00Z" });
    assert.equal(k.activity("acme")?.last_interaction_at, "2024-06-01T09:00:00.000Z");
    const due = k.db.prepare("SELECT next_meeting_at FROM customer_activity WHERE customer_id = ?").get(k.customer("acme")) as { next_meeting_at: string };
    assert.equal(due.next_meeting_at, "2024-07-01T09:00:00.000Z");
  });

  test("rooms are not participants", () => {
    const k = kit();
    k.event("jane", { ical: "r1", organizer: "jane@northwind.io", attendees: ["tom@northwind.io"], rooms: ["room-1@acme.com"], start: "2024-06-01T09:00:00Z" });
    assert.equal(k.interactions().length, 0);
  });
});

describe("details", () => {
  test("details of synced items are kept; when missing they are fetched by id and the subject loads", async () => {
    const k = kit();
    k.mail("jane", { id: "nd", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z", subject: "No details yet", details: false });
    let [it] = k.interactions("acme");
    assert.equal(it!.subject, null);
    assert.equal(it!.details_pending, 1);
    await k.engine.processPendingDetails();
    [it] = k.interactions("acme");
    assert.equal(it!.subject, "No details yet");
    assert.equal(it!.details_pending, 0);
    assert.deepEqual(k.fetcher.calls, [{ kind: "email", memberId: k.member("jane"), graphId: "nd" }]);
  });

  test("a failing fetch is retried later, not lost", async () => {
    const k = kit();
    k.fetcher.fail = true;
    k.mail("jane", { id: "f1", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z", details: false });
    await k.engine.processPendingDetails();
    const row = k.db.prepare("SELECT details_state, details_attempts, details_retry_at FROM interaction_facts WHERE graph_id = 'f1'").get() as {
      details_state: string;
      details_attempts: number;
      details_retry_at: string | null;
    };
    assert.equal(row.details_state, "missing");
    assert.equal(row.details_attempts, 1);
    assert.ok(row.details_retry_at);
  });
});
