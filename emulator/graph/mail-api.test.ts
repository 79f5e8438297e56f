import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PageIterator } from "@microsoft/microsoft-graph-client";
import { generateOrganisation, PRESET_NOW, PRESETS } from "../generator/index";
import type { GeneratedOrganisation } from "../generator/types";
import { startTestServer, type TestServer } from "./test-support";

describe("Graph mail endpoints", () => {
  let server: TestServer;
  let org: GeneratedOrganisation;
  let oid: string;
  before(async () => {
    server = await startTestServer({ now: () => PRESET_NOW.getTime() });
    org = generateOrganisation({ ...PRESETS.tiny, now: PRESET_NOW });
    server.data.loadOrganisation(org);
    oid = org.teamMembers[1]!.oid;
  });
  after(() => server.close());

  it("serves /me, with proxyAddresses only when selected", async () => {
    const client = server.client(oid);
    const me = await client.api("/me").get();
    const member = org.teamMembers[1]!;
    assert.equal(me.id, oid);
    assert.equal(me.mail, member.primaryAddress);
    assert.equal(me.userPrincipalName, member.primaryAddress);
    assert.equal(me.proxyAddresses, undefined);
    const selected = await client.api("/me").select("id,proxyAddresses").get();
    assert.ok(selected.proxyAddresses.includes(`SMTP:${member.primaryAddress}`));
    for (const alias of member.mailboxAliases) assert.ok(selected.proxyAddresses.includes(`smtp:${alias}`));
    assert.ok(selected.proxyAddresses.some((p: string) => p.startsWith("X500:")));
    assert.equal(selected.displayName, undefined);
    const viaUsers = await client.api(`/users/${member.primaryAddress}`).select("id").get();
    assert.equal(viaUsers.id, oid);
    await assert.rejects(client.api(`/users/${org.teamMembers[0]!.oid}/messages`).get(), (e: any) => e.statusCode === 403);
  });

  it("pages mail folders (10 by default), resolves well-known names and lists child folders", async () => {
    const client = server.client(oid);
    const first = await client.api("/me/mailFolders").top(4).get();
    assert.equal(first.value.length, 4);
    assert.ok(first["@odata.nextLink"]);
    const names: string[] = [];
    await new PageIterator(client, first, (f) => {
      names.push(f.displayName);
      return true;
    }).iterate();
    assert.deepEqual(names, ["Archive", "Conversation History", "Deleted Items", "Drafts", "Inbox", "Junk Email", "Newsletters", "Outbox", "Projects", "Sent Items"]);
    const defaultPage = await client.api("/me/mailFolders").get();
    assert.equal(defaultPage.value.length, 10);
    const inbox = await client.api("/me/mailFolders/inbox").get();
    assert.equal(inbox.displayName, "Inbox");
    assert.equal(inbox.childFolderCount, 1);
    const byId = await client.api(`/me/mailFolders('${inbox.id}')`).get();
    assert.equal(byId.id, inbox.id);
    const sent = await client.api("/me/mailFolders/SentItems").get();
    assert.equal(sent.displayName, "Sent Items");
    const root = await client.api("/me/mailFolders/msgfolderroot").get();
    assert.equal(inbox.parentFolderId, root.id);
    const children = await client.api(`/me/mailFolders/${inbox.id}/childFolders`).get();
    assert.deepEqual(children.value.map((f: any) => f.displayName), ["Customers"]);
    const grandChildren = await client.api(`/me/mailFolders/${children.value[0].id}/childFolders`).get();
    assert.deepEqual(grandChildren.value.map((f: any) => f.displayName), ["Key accounts"]);
    await assert.rejects(client.api("/me/mailFolders/nosuchfolder").get(), (e: any) => e.statusCode === 404 && e.code === "ErrorItemNotFound");
  });

  it("lists messages with $filter, $orderby, $top, $skip and $select, and enforces Graph's limits", async () => {
    const client = server.client(oid);
    const truth = server.data.store.groundTruth(oid).messages;
    const since = "2025-05-01T00:00:00Z";
    const expected = truth.filter((m) => m.receivedDateTime >= since).length;
    let seen = 0;
    const first = await client.api("/me/messages").filter(`receivedDateTime ge ${since}`).orderby("receivedDateTime desc").select("receivedDateTime").top(7).get();
    let previous = "9999";
    await new PageIterator(client, first, (m) => {
      assert.ok(m.receivedDateTime >= since && m.receivedDateTime <= previous);
      previous = m.receivedDateTime;
      seen++;
      return true;
    }).iterate();
    assert.equal(seen, expected);

    const thread = truth.find((m) => m.conversationId)!;
    const inThread = await client.api("/me/messages").filter(`conversationId eq '${thread.conversationId}'`).get();
    assert.ok(inThread.value.length >= 1);
    assert.ok(inThread.value.every((m: any) => m.conversationId === thread.conversationId));
    const byImid = await client.api("/me/messages").filter(`internetMessageId eq '${thread.internetMessageId}'`).select("internetMessageId").get();
    assert.deepEqual(byImid.value.map((m: any) => m.internetMessageId), [thread.internetMessageId]);
    await assert.rejects(
      client.api("/me/messages").filter(`conversationId eq '${thread.conversationId}'`).orderby("receivedDateTime desc").get(),
      (e: any) => e.statusCode === 400 && e.code === "InefficientFilter",
    );
    await assert.rejects(client.api("/me/messages").top(1001).get(), (e: any) => e.statusCode === 400);
    await assert.rejects(client.api("/me/messages").select("nonsense").get(), (e: any) => e.statusCode === 400);
    await assert.rejects(client.api("/me/messages").filter("receivedDateTime ge '2025-01-01'").get(), (e: any) => e.statusCode === 400);
    const asc = await client.api("/me/mailFolders/inbox/messages").orderby("receivedDateTime asc").select("receivedDateTime").top(5).skip(2).get();
    assert.equal(asc.value.length, 5);
    assert.ok(asc.value[0].receivedDateTime <= asc.value[4].receivedDateTime);
  });

  it("shows Graph's message fields: bcc only on sent copies, headers and body as selected", async () => {
    const client = server.client(oid);
    const one = await client.api("/me/mailFolders/inbox/messages").top(1).get();
    const m = one.value[0];
    for (const field of ["id", "createdDateTime", "lastModifiedDateTime", "changeKey", "receivedDateTime", "sentDateTime", "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance", "parentFolderId", "conversationId", "conversationIndex", "isDraft", "isRead", "webLink", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "body", "@odata.etag"]) {
      assert.ok(field in m, field);
    }
    assert.equal(m.internetMessageHeaders, undefined);
    assert.equal(m["@odata.etag"], `W/"${m.changeKey}"`);
    const single = await client.api(`/me/messages/${m.id}`).select("subject,internetMessageHeaders").get();
    assert.deepEqual(Object.keys(single).filter((k) => !k.startsWith("@")).sort(), ["id", "internetMessageHeaders", "subject"]);
    assert.ok(single.internetMessageHeaders.some((h: any) => h.name === "Message-ID"));
    const newsletters = await client.api("/me/messages").filter("inferenceClassification eq 'other'").select("internetMessageHeaders").top(50).get();
    assert.ok(newsletters.value.some((n: any) => n.internetMessageHeaders?.some((h: any) => h.name === "List-Unsubscribe")));
    const inbox = await client.api("/me/mailFolders/inbox/messages").select("bccRecipients").top(100).get();
    assert.ok(inbox.value.every((x: any) => x.bccRecipients.length === 0));
  });

  it("answers in Graph's error envelope with request ids", async () => {
    const res = await server.raw(oid, "/me/messages/AAMkAGnonexistent=", { "client-request-id": "abc-123" });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, "ErrorItemNotFound");
    assert.equal(res.body.error.innerError["client-request-id"], "abc-123");
    assert.match(res.body.error.innerError.date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    assert.equal(res.headers.get("client-request-id"), "abc-123");
    assert.ok(res.headers.get("request-id"));
    const segment = await server.raw(oid, "/me/nothing");
    assert.equal(segment.status, 400);
    assert.equal(segment.body.error.message, "Resource not found for the segment 'nothing'.");
    const noMailbox = await server.raw("00000000-0000-4000-8000-00000000dead", "/me/messages");
    assert.equal(noMailbox.status, 404);
    assert.equal(noMailbox.body.error.code, "MailboxNotEnabledForRESTAPI");
  });
});
