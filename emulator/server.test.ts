/**
 * The composed emulator driven by Microsoft's own clients: @azure/msal-node signs a seeded user in
 * (authorization code flow, auto-consent) and @microsoft/microsoft-graph-client, with its default
 * middleware chain (RetryHandler included), talks to Graph through the request pipeline.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { ConfidentialClientApplication, LogLevel } from "@azure/msal-node";
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  GraphError,
  RetryHandlerOptions,
} from "@microsoft/microsoft-graph-client";
import pino from "pino";
import { startReceiver } from "./pipeline/test-harness";
import { createEmulator, type Emulator } from "./server";

let emu: Emulator;
let clockOffset = 0;
let token = "";
let oid = "";
let client: Client;

const GRAPH_SCOPES = ["User.Read", "Mail.Read", "Calendars.Read"];

async function control(path: string, body?: unknown, method = body === undefined ? "GET" : "POST"): Promise<any> {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.status === 204 ? undefined : res.json();
}

async function stats(): Promise<any> {
  return control(`/pipeline/stats?oid=${oid}`);
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}

/** The authorization code flow with msal-node; auto-consent makes /authorize redirect straight back. */
async function signIn(loginHint: string): Promise<string> {
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: emu.demoApp.clientId,
      clientSecret: emu.demoApp.clientSecret,
      authority: emu.authority,
      knownAuthorities: [new URL(emu.url).host],
    },
    system: { loggerOptions: { logLevel: LogLevel.Error, loggerCallback: () => {}, piiLoggingEnabled: false } },
  });
  const redirectUri = emu.demoApp.redirectUris[0]!;
  const authorizeUrl = await cca.getAuthCodeUrl({ scopes: GRAPH_SCOPES, redirectUri, loginHint });
  const res = await fetch(authorizeUrl, { redirect: "manual" });
  assert.equal(res.status, 302);
  const code = new URL(res.headers.get("location")!).searchParams.get("code");
  assert.ok(code, `no code in ${res.headers.get("location")}`);
  const result = await cca.acquireTokenByCode({ code, scopes: GRAPH_SCOPES, redirectUri });
  return result.accessToken;
}

function graphClient(getToken: () => string = () => token): Client {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: async () => getToken() },
    baseUrl: emu.url,
    defaultVersion: "v1.0",
    // The SDK only attaches the bearer token to Graph hosts; the emulator is a custom one.
    customHosts: new Set([new URL(emu.url).hostname]),
  });
}

before(async () => {
  emu = await createEmulator({
    seed: "tiny",
    sizes: { messagesPerMailbox: 30, eventsPerMailbox: 4, teamMembers: 2, customers: 3, contactsPerCustomer: 2 },
    adminConsentTenant: false,
    autoConsent: true,
    now: () => Date.now() + clockOffset,
    notifier: { batchDelayMs: 20 },
    logger: pino({ level: "silent" }),
  });
  const member = emu.organisation!.teamMembers[0]!;
  oid = member.oid;
  token = await signIn(member.primaryAddress);
  client = graphClient();
});

after(async () => {
  await emu.close();
});

beforeEach(async () => {
  clockOffset = 0;
  await control("/pipeline/faults", undefined, "DELETE");
  await control("/pipeline/limits", { maxConcurrent: 4, windowRequests: 10_000, windowSeconds: 600, latencyMs: 0 });
  await control("/pipeline/stats/reset", {});
});

describe("the emulator with msal-node and the Graph SDK", () => {
  test("a real token from the emulator's Entra reads the signed-in user's mailbox", async () => {
    const me = await client.api("/me").select("id,displayName,mail").get();
    assert.equal(me.id, oid);
    const page = await client.api("/me/mailFolders/inbox/messages").top(2).select("subject").get();
    assert.ok(Array.isArray(page.value) && page.value.length > 0);
    const s = await stats();
    assert.equal(s.accepted, 1, "/me is no mailbox request; the folder listing is");
  });

  test("RetryHandler honours a 429's Retry-After; the emulator sees no violation", async () => {
    await control("/pipeline/faults", {
      rules: [{ match: { method: "GET", pathRegex: "^/me/messages" }, kind: "status", status: 429, retryAfterSeconds: 1, count: 1 }],
    });
    const started = Date.now();
    const page = await client.api("/me/messages").top(1).get();
    assert.ok(page.value.length === 1);
    assert.ok(Date.now() - started >= 950, "the SDK waited for Retry-After");
    const s = await stats();
    assert.equal(s.faultsInjected, 1);
    assert.equal(s.requests, 2);
    assert.equal(s.retryAfterViolations, 0);
  });

  test("8 parallel requests: 4 in flight, the others 429 ApplicationThrottled, all succeed after Retry-After", async () => {
    // Hold the first four inside the emulator so the overlap does not depend on timing.
    await control("/pipeline/faults", { rules: [{ match: { pathRegex: "^/me/messages" }, kind: "hold", count: 4 }] });
    const pending = Array.from({ length: 8 }, () => client.api("/me/messages").top(1).get());
    await until(async () => (await stats()).throttledConcurrency >= 4);
    assert.equal((await control("/pipeline/faults")).held, 4);
    await control("/pipeline/faults/release", {});
    const pages = await Promise.all(pending);
    assert.equal(pages.length, 8);
    const s = await stats();
    assert.equal(s.peakConcurrency, 4);
    assert.ok(s.throttledConcurrency >= 4, "the four that found the mailbox busy");
    assert.equal(s.accepted, 8);
    assert.equal(s.retryAfterViolations, 0);
  });

  test("a throttled request answers ApplicationThrottled in Graph's envelope", async () => {
    await control("/pipeline/faults", { rules: [{ match: { pathRegex: "^/me/messages" }, kind: "hold", count: 4 }] });
    const held = Array.from({ length: 4 }, () => client.api("/me/messages").top(1).get());
    await until(async () => (await control("/pipeline/faults")).held === 4);
    const noRetry = client.api("/me/messages").middlewareOptions([new RetryHandlerOptions(0, 0)]);
    await assert.rejects(noRetry.get(), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.statusCode, 429);
      assert.equal(e.code, "ApplicationThrottled");
      assert.equal(e.message, "Application is over its MailboxConcurrency limit.");
      assert.ok(e.requestId);
      return true;
    });
    await control("/pipeline/faults/release", {});
    await Promise.all(held);
  });

  test("the request window (configured small) throttles with TooManyRequests until it frees", async () => {
    await control("/pipeline/limits", { windowRequests: 3, windowSeconds: 2 });
    for (let i = 0; i < 3; i++) await client.api("/me/messages").top(1).get();
    await assert.rejects(client.api("/me/messages").top(1).middlewareOptions([new RetryHandlerOptions(0, 0)]).get(), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.statusCode, 429);
      assert.equal(e.code, "TooManyRequests");
      return true;
    });
    // With the SDK's default retry the same request waits out Retry-After and succeeds.
    const page = await client.api("/me/messages").top(1).get();
    assert.equal(page.value.length, 1);
    const s = await stats();
    assert.ok(s.throttledWindow >= 2);
    assert.equal(s.retryAfterViolations, 0);
  });

  test("$batch: a sub-request over the concurrency limit gets its own 429 inside a 200; dependsOn a failure gives 424", async () => {
    // Three requests and then one sub-request are held in flight: the other sub-request is the fifth.
    await control("/pipeline/faults", {
      rules: [
        { match: { pathRegex: "^/me/mailFolders" }, kind: "hold", count: 3 },
        { match: { pathRegex: "^/me/messages" }, kind: "hold", count: 1 },
      ],
    });
    const holders = Array.from({ length: 3 }, () => client.api("/me/mailFolders").get());
    await until(async () => (await control("/pipeline/faults")).held === 3);
    const throttling = new BatchRequestContent([
      { id: "1", request: new Request(`${emu.url}/me/messages?$top=1`) },
      { id: "2", request: new Request(`${emu.url}/me/messages?$top=2`) },
    ]);
    const posted = client.api("/$batch").post(await throttling.getContent());
    await until(async () => (await stats()).throttledConcurrency === 1);
    await control("/pipeline/faults/release", {});
    const batch = new BatchResponseContent(await posted);
    const statuses = ["1", "2"].map((id) => batch.getResponseById(id).status).sort();
    assert.deepEqual(statuses, [200, 429]);
    const throttled = ["1", "2"].map((id) => batch.getResponseById(id)).find((r) => r.status === 429)!;
    assert.equal(throttled.headers.get("Retry-After"), "1");
    assert.equal(((await throttled.json()) as any).error.code, "ApplicationThrottled");
    await Promise.all(holders);

    const dependent = new BatchRequestContent([
      { id: "a", request: new Request(`${emu.url}/me/messages/not-a-real-id`) },
      { id: "b", request: new Request(`${emu.url}/me/messages?$top=1`), dependsOn: ["a"] },
    ]);
    const second = new BatchResponseContent(await client.api("/$batch").post(await dependent.getContent()));
    assert.ok(second.getResponseById("a").status >= 400);
    assert.equal(second.getResponseById("b").status, 424);
  });

  test("$batch sub-request urls are relative to the version: '/v1.0/me' is Graph's 400 for segment 'v1.0'", async () => {
    const res = await client.api("/$batch").post({ requests: [{ id: "1", method: "GET", url: "/v1.0/me" }] });
    assert.equal(res.responses[0].status, 400);
    assert.match(res.responses[0].body.error.message, /segment 'v1\.0'/);
  });

  test("a subscription is created after the validation handshake and delivers a notification with clientState", async () => {
    const receiver = await startReceiver();
    try {
      const sub = await client.api("/subscriptions").post({
        changeType: "created,updated",
        notificationUrl: `${receiver.url}/notifications`,
        lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
        resource: "me/mailFolders('inbox')/messages",
        expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
        clientState: "client-secret-state",
        latestSupportedTlsVersion: "v1_2",
      });
      assert.ok(sub.id);
      assert.equal(sub.applicationId, emu.demoApp.clientId);
      assert.equal(receiver.posts.filter((p) => p.validationToken !== null).length, 2);

      const added = await control(`/graph/mailboxes/${oid}/messages`, {
        folder: "inbox",
        message: {
          subject: "Renewal next quarter",
          from: { emailAddress: { name: "Pat", address: "pat@customer.test" } },
          toRecipients: [{ emailAddress: { address: emu.organisation!.teamMembers[0]!.primaryAddress } }],
          body: { contentType: "text", content: "Shall we talk?" },
        },
      });
      const [n] = await receiver.waitForNotifications(1);
      assert.equal(n!.subscriptionId, sub.id);
      assert.equal(n!.clientState, "client-secret-state");
      assert.equal(n!.changeType, "created");
      assert.equal(n!.resource, `Users/${oid}/Messages/${added.id}`);
      assert.equal((n!.resourceData as any).id, added.id);
      assert.match((n!.resourceData as any)["@odata.etag"], /^W\/"/);
      const fetched = await client.api(`/me/messages/${(n!.resourceData as any).id}`).select("subject").get();
      assert.equal(fetched.subject, "Renewal next quarter");

      await control(`/pipeline/subscriptions/${sub.id}/lifecycle`, { event: "subscriptionRemoved" });
      await control("/pipeline/notifications/flush", {});
      const lifecycle = receiver.posts.filter((p) => p.path === "/lifecycle" && p.validationToken === null);
      assert.equal(JSON.parse(lifecycle[0]!.body).value[0].lifecycleEvent, "subscriptionRemoved");
      await assert.rejects(client.api(`/subscriptions/${sub.id}`).get(), (e: unknown) => e instanceof GraphError && e.statusCode === 404);
    } finally {
      await receiver.close();
    }
  });

  test("a receiver that does not echo the validation token makes creation fail with 400", async () => {
    const receiver = await startReceiver("wrong-token");
    try {
      await assert.rejects(
        client.api("/subscriptions").post({
          changeType: "created",
          notificationUrl: receiver.url,
          resource: "me/messages",
          expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
          clientState: "x",
        }),
        (e: unknown) => {
          assert.ok(e instanceof GraphError);
          assert.equal(e.statusCode, 400);
          assert.match(e.message, /Subscription validation request failed/);
          return true;
        },
      );
    } finally {
      await receiver.close();
    }
  });

  test("fault rules: reset and truncate break the response; 503 with Retry-After is retried by the SDK", async () => {
    await control("/pipeline/faults", { rules: [{ match: { pathRegex: "^/me/messages" }, kind: "reset", count: 1 }] });
    await assert.rejects(client.api("/me/messages").top(1).get());
    await control("/pipeline/faults", { rules: [{ match: { pathRegex: "^/me/messages" }, kind: "truncate", count: 1 }] });
    await assert.rejects(client.api("/me/messages").top(1).get());
    await control("/pipeline/faults", {
      rules: [{ match: { pathRegex: "^/me/messages" }, kind: "status", status: 503, retryAfterSeconds: 1, count: 1 }],
    });
    const page = await client.api("/me/messages").top(1).get();
    assert.equal(page.value.length, 1);
    const rules = (await control("/pipeline/faults")).rules;
    assert.equal(rules[0].hits, 1);
    const s = await stats();
    assert.equal(s.faultsInjected, 3);
    assert.equal(s.retryAfterViolations, 0);
  });

  test("an expired token gets 401 InvalidAuthenticationToken with WWW-Authenticate", async () => {
    clockOffset = 2 * 3600_000;
    await assert.rejects(client.api("/me/messages").get(), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.statusCode, 401);
      assert.equal(e.code, "InvalidAuthenticationToken");
      assert.equal(e.message, "Access token has expired or is not yet valid.");
      return true;
    });
    const raw = await fetch(`${emu.graphUrl}/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(raw.status, 401);
    assert.match(raw.headers.get("www-authenticate") ?? "", /^Bearer realm=""/);
    assert.ok(raw.headers.get("request-id"));
  });
});

describe("composition", () => {
  test("seeded users carry their aliases and an X500 address; the demo app exposes access_as_user", async () => {
    const member = emu.organisation!.teamMembers[0]!;
    const user = emu.identity.findUser(member.oid)!;
    assert.ok(user.proxyAddresses.includes(`SMTP:${member.primaryAddress}`));
    assert.ok(user.proxyAddresses.some((p) => p.startsWith("X500:")));
    for (const alias of member.mailboxAliases) assert.ok(user.proxyAddresses.includes(`smtp:${alias}`));
    const app = emu.identity.getApp(emu.demoApp.clientId)!;
    assert.deepEqual(app.exposedScopes, ["access_as_user"]);
    assert.equal(app.identifierUri, `api://${emu.demoApp.clientId}`);
    assert.ok(app.spaRedirectUris?.length);
    assert.ok(emu.demoApp.clientSecret);
    const overview = await control("");
    assert.equal(overview.graph, emu.graphUrl);
  });

  test("the demo seed adds an admin-consent-required second tenant", async () => {
    const demo = await createEmulator({
      seed: "demo",
      sizes: { messagesPerMailbox: 10, eventsPerMailbox: 2, teamMembers: 1, customers: 2, contactsPerCustomer: 1 },
      logger: pino({ level: "silent" }),
    });
    try {
      assert.ok(demo.adminConsentTenant);
      const tenant = demo.identity.getTenant(demo.adminConsentTenant.tenantId)!;
      assert.equal(tenant.requiresAdminConsent, true);
      assert.notEqual(tenant.id, demo.organisation!.tenant.id);
      assert.ok(demo.adminConsentTenant.users.length > 0);
      assert.ok(demo.graph.store.hasMailbox(demo.adminConsentTenant.users[0]!.oid));
    } finally {
      await demo.close();
    }
  });
});
