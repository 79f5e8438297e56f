import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PageIterator, type PageCollection } from "@microsoft/microsoft-graph-client";
import type { SeedEvent } from "./seed-types";
import { emptySeed, startTestServer, testUser, type TestServer } from "./test-support";

const NOW = Date.parse("2025-06-02T09:00:00Z");
const OID = "00000000-0000-4000-8000-0000000000c1";
const utc = (iso: string) => ({ dateTime: iso.replace("Z", ""), timeZone: "UTC" });
const person = (name: string, address: string) => ({ emailAddress: { name, address } });

function seedEvents(): SeedEvent[] {
  return [
    {
      key: "weekly",
      subject: "Weekly check-in",
      start: utc("2025-04-07T10:00:00Z"),
      end: utc("2025-04-07T10:30:00Z"),
      isOrganizer: false,
      responseStatus: { response: "accepted", time: "2025-04-01T08:00:00Z" },
      organizer: person("Carla Customer", "carla@customer.test"),
      attendees: [
        { type: "required", status: { response: "accepted", time: "2025-04-01T08:00:00Z" }, emailAddress: { name: "Test User", address: "test@contoso.test" } },
        { type: "resource", status: { response: "accepted", time: "2025-04-01T08:00:00Z" }, emailAddress: { name: "Room Aurora", address: "room-aurora@contoso.test" } },
      ],
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"], firstDayOfWeek: "sunday" },
        range: { type: "endDate", startDate: "2025-04-07", endDate: "2025-07-28", recurrenceTimeZone: "UTC" },
      },
      occurrenceOverrides: [
        { originalStart: "2025-05-05T10:00:00Z", changes: { start: utc("2025-05-05T11:00:00Z"), end: utc("2025-05-05T11:30:00Z") } },
        { originalStart: "2025-05-12T10:00:00Z", isCancelled: true },
        { originalStart: "2025-05-19T10:00:00Z", deleted: true },
      ],
    },
    { key: "oneoff", subject: "One-off", start: utc("2025-05-20T13:00:00Z"), end: utc("2025-05-20T14:00:00Z"), isOrganizer: true, organizer: person("Test User", "test@contoso.test"), attendees: [] },
    { key: "cancelled", subject: "Canceled: Renewal", isCancelled: true, start: utc("2025-05-22T09:00:00Z"), end: utc("2025-05-22T10:00:00Z"), organizer: person("Carla Customer", "carla@customer.test") },
    { key: "old", subject: "Old meeting", start: utc("2025-01-10T09:00:00Z"), end: utc("2025-01-10T10:00:00Z"), organizer: person("Test User", "test@contoso.test"), isOrganizer: true },
  ];
}

async function collect(server: TestServer, url: string, headers: Record<string, string> = { Prefer: "odata.maxpagesize=2" }) {
  const client = server.client(OID);
  const first = (await client.api(url).headers(headers).get()) as PageCollection;
  const items: any[] = [];
  const it = new PageIterator(client, first, (x) => {
    items.push(x);
    return true;
  }, { headers });
  await it.iterate();
  return { items, deltaLink: it.getDeltaLink() as string };
}

describe("calendarView delta", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ now: () => NOW });
    const seed = emptySeed();
    seed.events = seedEvents();
    server.data.store.loadSeed(OID, seed, testUser(OID));
  });
  after(() => server.close());
  const WINDOW = "/me/calendarView/delta?startDateTime=2025-05-01T00:00:00Z&endDateTime=2025-06-01T00:00:00Z";

  it("requires the window", async () => {
    const res = await server.raw(OID, "/me/calendarView/delta?startDateTime=2025-05-01T00:00:00Z");
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "ErrorInvalidParameter");
  });

  it("expands occurrences and exceptions in the window, with cancelled ones marked", async () => {
    const { items, deltaLink } = await collect(server, WINDOW);
    assert.ok(deltaLink.includes("/me/calendarView/delta?$deltatoken="));
    const summary = items.map((e) => [e.start.dateTime, e.type, e.subject, e.isCancelled]);
    assert.deepEqual(summary, [
      ["2025-05-05T11:00:00.0000000", "exception", "Weekly check-in", false],
      ["2025-05-12T10:00:00.0000000", "exception", "Canceled: Weekly check-in", true],
      ["2025-05-20T13:00:00.0000000", "singleInstance", "One-off", false],
      ["2025-05-22T09:00:00.0000000", "singleInstance", "Canceled: Renewal", true],
      ["2025-05-26T10:00:00.0000000", "occurrence", "Weekly check-in", false],
    ]);
    const series = items.filter((e) => e.seriesMasterId);
    assert.equal(new Set(series.map((e) => e.seriesMasterId)).size, 1);
    assert.equal(series[0].originalStart, "2025-05-05T10:00:00Z");
    assert.equal(new Set(items.map((e) => e.id)).size, items.length);
    const weekly = items[4];
    assert.equal(weekly.isOrganizer, false);
    assert.equal(weekly.responseStatus.response, "accepted");
    assert.equal(weekly.organizer.emailAddress.address, "carla@customer.test");
    assert.ok(weekly.attendees.some((a: any) => a.type === "resource"));
    assert.equal(weekly.start.timeZone, "UTC");
    assert.equal(weekly["@odata.type"], "#microsoft.graph.event");
    assert.ok(weekly.webLink.startsWith("https://outlook.office365.com/owa/?itemid="));
    assert.notEqual(items[0].iCalUId, items[4].iCalUId, "occurrences carry their own iCalUId");
    const fetched = await server.client(OID).api(`/me/events/${weekly.id}`).get();
    assert.equal(fetched.type, "occurrence");
    assert.equal(fetched.seriesMasterId, weekly.seriesMasterId);
    const master = await server.client(OID).api(`/me/events/${weekly.seriesMasterId}`).get();
    assert.equal(master.type, "seriesMaster");
    assert.equal(master.recurrence.pattern.type, "weekly");
    const view = await server.client(OID).api("/me/calendarView?startDateTime=2025-05-01T00:00:00Z&endDateTime=2025-06-01T00:00:00Z").select("subject,type").get();
    assert.equal(view.value.length, 5);
  });

  it("reports later changes, including @removed for deletions outside the window", async () => {
    const { items, deltaLink } = await collect(server, WINDOW);
    const weekly = items.find((e) => e.type === "occurrence")!;
    const cancelledOccurrence = items.find((e) => e.type === "exception" && e.isCancelled)!;
    const oneoff = items.find((e) => e.subject === "One-off")!;
    const masters = server.data.store.mailbox(OID)!.calendar.events;
    const old = masters.find((e) => e.seedKey === "old")!;
    const series = masters.find((e) => e.seedKey === "weekly")!;

    assert.equal((await server.control("PATCH", `/mailboxes/${OID}/events/${encodeURIComponent(series.immutableId)}?originalStart=2025-05-26T10:00:00Z`, { subject: "Weekly check-in (agenda)" })).status, 200);
    assert.equal((await server.control("DELETE", `/mailboxes/${OID}/events/${encodeURIComponent(old.immutableId)}`)).status, 204);
    assert.equal((await server.control("DELETE", `/mailboxes/${OID}/events/${encodeURIComponent(series.immutableId)}?originalStart=2025-05-12T10:00:00Z`)).status, 204);
    const oneoffMaster = masters.find((e) => e.seedKey === "oneoff")!;
    assert.equal(oneoffMaster.restId, oneoff.id);
    assert.equal((await server.control("POST", `/mailboxes/${OID}/events/${encodeURIComponent(oneoffMaster.immutableId)}/cancel`)).status, 200);
    const added = await server.control("POST", `/mailboxes/${OID}/events`, {
      event: { key: "new", subject: "New meeting", start: utc("2025-05-28T08:00:00Z"), end: utc("2025-05-28T08:30:00Z"), organizer: person("Test User", "test@contoso.test"), isOrganizer: true },
    });
    assert.equal(added.status, 201);

    const round = await collect(server, deltaLink);
    const removed = round.items.filter((e) => e["@removed"]).map((e) => e.id).sort();
    assert.deepEqual(removed, [cancelledOccurrence.id, old.restId].sort());
    const changed = round.items.filter((e) => !e["@removed"]);
    const bySubject = new Map(changed.map((e) => [e.subject, e]));
    assert.equal(bySubject.get("Weekly check-in (agenda)")?.type, "exception");
    assert.equal(bySubject.get("Weekly check-in (agenda)")?.id, weekly.id);
    assert.equal(bySubject.get("Canceled: One-off")?.isCancelled, true);
    assert.equal(bySubject.get("New meeting")?.type, "singleInstance");
    assert.equal(changed.length, 3);

    const quiet = await collect(server, round.deltaLink);
    assert.equal(quiet.items.length, 0);

    assert.equal((await server.control("POST", "/delta/expire", { oid: OID, folder: "calendar" })).status, 200);
    const gone = await server.raw(OID, round.deltaLink);
    assert.equal(gone.status, 410);
    assert.equal(gone.body.error.code.toLowerCase(), "syncstatenotfound");
  });

  it("returns immutable ids for events when asked", async () => {
    const { items } = await collect(server, WINDOW, { Prefer: 'odata.maxpagesize=50, IdType="ImmutableId"' });
    const series = server.data.store.mailbox(OID)!.calendar.events.find((e) => e.seedKey === "weekly")!;
    assert.ok(items.filter((e) => e.seriesMasterId).every((e) => e.seriesMasterId === series.immutableId));
  });
});
