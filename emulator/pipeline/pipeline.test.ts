/**
 * The pipeline over HTTPS in front of a stub Graph router and a stub token verifier. The same
 * behaviour is exercised end to end, with real tokens and Microsoft's clients, in emulator/server.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { startHarness, startReceiver, stubToken, type Harness } from "./test-harness";

const USER = "aaaaaaaa-0000-0000-0000-000000000001";
const APP = "bbbbbbbb-0000-0000-0000-000000000001";
const token = stubToken(USER, APP);

let h: Harness;

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});
beforeEach(() => {
  h.pipeline.faults.clear();
  h.pipeline.stats.reset();
  h.pipeline.limiter.resetWindows();
  h.pipeline.configure({ maxConcurrent: 4, windowRequests: 10_000, windowSeconds: 600, latencyMs: 0 });
  h.gate.reset();
});

function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${h.graph}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

async function control(path: string, body?: unknown, method = body === undefined ? "GET" : "POST") {
  const res = await fetch(`${h.url}/_emulator/pipeline${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.status === 204 ? undefined : ((await res.json()) as Record<string, any>);
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe("authentication", () => {
  test("every answer carries request-id and echoes client-request-id", async () => {
    const res = await get("/me/messages", { "client-request-id": "my-id-1" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("request-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get("client-request-id"), "my-id-1");
    const anon = await fetch(`${h.graph}/me/messages`);
    assert.match(anon.headers.get("request-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(anon.headers.get("client-request-id"), anon.headers.get("request-id"));
  });

  test("a missing or expired token gets 401 InvalidAuthenticationToken with WWW-Authenticate", async () => {
    const anon = await fetch(`${h.graph}/me/messages`, { headers: { "client-request-id": "c1" } });
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get("www-authenticate") ?? "", /^Bearer realm="", authorization_uri="https:\/\/login\.invalid\/common\/oauth2\/authorize", client_id="00000003-0000-0000-c000-000000000000"$/);
    const body = (await anon.json()) as any;
    assert.equal(body.error.code, "InvalidAuthenticationToken");
    assert.equal(body.error.innerError["client-request-id"], "c1");
    assert.equal(body.error.innerError["request-id"], anon.headers.get("request-id"));
    assert.match(body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);

    const expired = await fetch(`${h.graph}/me/messages`, { headers: { authorization: "Bearer expired" } });
    assert.equal(expired.status, 401);
    assert.equal(((await expired.json()) as any).error.message, "Access token has expired or is not yet valid.");
  });

  test("a token without the scope the resource needs gets 403 ErrorAccessDenied", async () => {
    const res = await fetch(`${h.graph}/me/messages`, { headers: { authorization: `Bearer ${stubToken(USER, APP, "User.Read")}` } });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as any).error.code, "ErrorAccessDenied");
    const write = await fetch(`${h.graph}/me/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(write.status, 403, "Mail.Read does not allow writes");
  });
});

describe("mailbox limits", () => {
  test("four requests in flight; the fifth and sixth get 429 ApplicationThrottled with Retry-After", async () => {
    const pending = Array.from({ length: 6 }, () => get("/me/messages?gate=1"));
    await until(() => h.pipeline.stats.get(USER).requests >= 6);
    h.gate.open();
    const responses = await Promise.all(pending);
    const throttled = responses.filter((r) => r.status === 429);
    assert.equal(throttled.length, 2);
    assert.equal(responses.filter((r) => r.status === 200).length, 4);
    for (const r of throttled) {
      assert.equal(r.headers.get("retry-after"), "1");
      const body = (await r.json()) as any;
      assert.equal(body.error.code, "ApplicationThrottled");
      assert.equal(body.error.message, "Application is over its MailboxConcurrency limit.");
    }
    const stats = await control(`/stats?oid=${USER}`);
    assert.equal(stats?.peakConcurrency, 4);
    assert.equal(stats?.throttledConcurrency, 2);
    assert.equal(stats?.accepted, 4);
  });

  test("requests to non-mailbox resources are not limited", async () => {
    h.pipeline.configure({ maxConcurrent: 1 });
    const res = await Promise.all([get("/me"), get("/me"), get("/me")]);
    assert.ok(res.every((r) => r.status === 200));
  });

  test("the request window answers TooManyRequests once the configured budget is used", async () => {
    await control("/limits", { windowRequests: 3, windowSeconds: 60 });
    for (let i = 0; i < 3; i++) assert.equal((await get("/me/messages")).status, 200);
    const res = await get("/me/messages");
    assert.equal(res.status, 429);
    const retryAfter = Number(res.headers.get("retry-after"));
    assert.ok(retryAfter >= 59 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(((await res.json()) as any).error.code, "TooManyRequests");
    assert.equal((await control(`/stats?oid=${USER}`))?.throttledWindow, 1);
  });

  test("a request repeated before its Retry-After elapsed is a violation; other requests are not", async () => {
    await control("/limits", { windowRequests: 1, windowSeconds: 60 });
    assert.equal((await get("/me/messages", { "client-request-id": "r1" })).status, 200);
    assert.equal((await get("/me/messages", { "client-request-id": "r2" })).status, 429);
    assert.equal((await get("/me/messages", { "client-request-id": "r3" })).status, 429);
    let stats = await control(`/stats?oid=${USER}`);
    assert.equal(stats?.retryAfterViolations, 0);
    assert.equal((await get("/me/messages", { "client-request-id": "r2" })).status, 429);
    stats = await control(`/stats?oid=${USER}`);
    assert.equal(stats?.retryAfterViolations, 1);
    assert.equal(stats?.violations[0].url, "/me/messages");
    await control("/stats/reset", {});
    assert.equal((await control(`/stats?oid=${USER}`))?.retryAfterViolations, 0);
  });
});

describe("fault rules", () => {
  test("a 503 rule with Retry-After fires on every 2nd matching request, count times, and is listed with hits", async () => {
    await control("/faults", {
      rules: [{ match: { method: "GET", pathRegex: "^/me/messages" }, kind: "status", status: 503, retryAfterSeconds: 2, everyNth: 2, count: 1 }],
      seed: "s",
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await get("/me/messages");
      statuses.push(r.status);
      if (r.status === 503) {
        assert.equal(r.headers.get("retry-after"), "2");
        assert.equal(((await r.json()) as any).error.code, "ServiceNotAvailable");
      }
    }
    assert.deepEqual(statuses, [200, 503, 200, 200]);
    const listed = await control("/faults");
    assert.equal(listed?.rules[0].hits, 1);
    assert.equal(listed?.rules[0].matched, 4);
    await control("/faults", undefined, "DELETE");
    assert.deepEqual((await control("/faults"))?.rules, []);
  });

  test("reset destroys the connection mid-response", async () => {
    await control("/faults", { rules: [{ kind: "reset", match: { pathRegex: "messages" } }] });
    await assert.rejects(async () => {
      const res = await get("/me/messages");
      await res.text();
    });
    // The slot was released although the response never completed.
    await until(() => h.pipeline.limiter.inFlight(APP, USER) === 0);
  });

  test("truncate sends a well-framed response with half the JSON", async () => {
    await control("/faults", { rules: [{ kind: "truncate" }] });
    const res = await get("/me/messages");
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.length > 10);
    assert.throws(() => JSON.parse(text));
  });

  test("delta410 answers 410 SyncStateNotFound to delta requests only; 401 answers InvalidAuthenticationToken", async () => {
    await control("/faults", { rules: [{ kind: "delta410" }] });
    assert.equal((await get("/me/messages")).status, 200);
    const gone = await get("/me/mailFolders/inbox/messages/delta?$deltatoken=abc");
    assert.equal(gone.status, 410);
    assert.equal(((await gone.json()) as any).error.code, "SyncStateNotFound");
    assert.match(gone.headers.get("location") ?? "", /messages\/delta\?\$deltatoken=$/);
    await control("/faults", { rules: [{ kind: "401", count: 1 }] });
    const unauth = await get("/me/messages");
    assert.equal(unauth.status, 401);
    assert.ok(unauth.headers.get("www-authenticate"));
    assert.equal((await get("/me/messages")).status, 200);
  });
});

describe("$batch", () => {
  async function batch(requests: unknown[]) {
    const res = await fetch(`${h.graph}/$batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ requests }),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  test("sub-requests run through the pipeline; a failed dependency gives 424", async () => {
    const { status, body } = await batch([
      { id: "1", method: "GET", url: "/me/messages" },
      { id: "2", method: "GET", url: "me/nothing-here" },
      { id: "3", method: "GET", url: "/me/messages", dependsOn: ["2"] },
      { id: "4", method: "GET", url: "/me/messages", dependsOn: ["1"] },
    ]);
    assert.equal(status, 200);
    const byId = Object.fromEntries(body.responses.map((r: any) => [r.id, r]));
    assert.equal(byId["1"].status, 200);
    assert.equal(byId["1"].body.value[0].subject, "hello");
    assert.match(byId["1"].headers["Content-Type"], /json/);
    assert.equal(byId["2"].status, 404);
    assert.equal(byId["3"].status, 424);
    assert.equal(byId["4"].status, 200);
    assert.equal(h.pipeline.stats.get(USER).accepted, 2, "two mailbox sub-requests passed the limits (me/nothing-here is no Outlook resource)");
  });

  test("a sub-request over the mailbox concurrency limit gets its own 429 with Retry-After inside a 200", async () => {
    const holders = Array.from({ length: 3 }, () => get("/me/messages?gate=1"));
    await until(() => h.pipeline.limiter.inFlight(APP, USER) === 3);
    const pending = batch([
      { id: "a", method: "GET", url: "/me/messages?gate=1" },
      { id: "b", method: "GET", url: "/me/messages?gate=1" },
    ]);
    await until(() => h.pipeline.stats.get(USER).throttled === 1 && h.gate.waiting === 4);
    h.gate.open();
    const { status, body } = await pending;
    await Promise.all(holders);
    assert.equal(status, 200);
    const statuses = body.responses.map((r: any) => r.status).sort();
    assert.deepEqual(statuses, [200, 429]);
    const throttled = body.responses.find((r: any) => r.status === 429);
    assert.equal(throttled.headers["Retry-After"], "1");
    assert.equal(throttled.body.error.code, "ApplicationThrottled");
  });

  test("at most 4 sub-requests of a batch run at once", async () => {
    h.pipeline.configure({ maxConcurrent: 10 });
    const pending = batch(Array.from({ length: 8 }, (_, i) => ({ id: String(i), method: "GET", url: "/me/messages?gate=1" })));
    await until(() => h.gate.waiting === 4);
    h.gate.open();
    const { body } = await pending;
    assert.equal(body.responses.length, 8);
    assert.equal(h.pipeline.stats.get(USER).peakConcurrency, 4);
  });

  test("malformed batches are rejected whole with 400", async () => {
    const tooMany = await batch(Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: "GET", url: "/me" })));
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error.code, "BadRequest");
    const dup = await batch([{ id: "1", method: "GET", url: "/me" }, { id: "1", method: "GET", url: "/me" }]);
    assert.equal(dup.status, 400);
    const unauth = await fetch(`${h.graph}/$batch`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(unauth.status, 401);
  });
});

describe("subscriptions", () => {
  const soon = () => new Date(Date.now() + 3600_000).toISOString();

  async function subscribe(body: Record<string, unknown>, auth = token) {
    const res = await fetch(`${h.graph}/subscriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  test("creation runs the validation handshake; notifications carry clientState; lifecycle events arrive", async () => {
    const receiver = await startReceiver();
    try {
      h.pipeline.notifier.configure({ batchDelayMs: 0 });
      const { status, body } = await subscribe({
        changeType: "created,updated",
        notificationUrl: `${receiver.url}/notify?x=1`,
        lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
        resource: "me/mailFolders('inbox')/messages",
        expirationDateTime: soon(),
        clientState: "secret-state",
      });
      assert.equal(status, 201, JSON.stringify(body));
      assert.equal(body.clientState, "secret-state");
      assert.equal(body.applicationId, APP);
      assert.equal(body.creatorId, USER);
      const validations = receiver.posts.filter((p) => p.validationToken !== null);
      assert.equal(validations.length, 2, "both notificationUrl and lifecycleNotificationUrl are validated");
      assert.match(validations[0]!.validationToken!, /^Validation: Testing client application reachability for subscription Request-Id: /);
      assert.match(validations[0]!.contentType, /^text\/plain/);

      h.feed.emit(
        { oid: USER, kind: "message", changeType: "created", id: "MSG1", changeKey: "CK1", folderId: "inbox-folder-id" },
        { oid: USER, kind: "message", changeType: "created", id: "ELSEWHERE", folderId: "other-folder" },
        { oid: USER, kind: "message", changeType: "deleted", id: "GONE", folderId: "inbox-folder-id" },
      );
      const [n] = await receiver.waitForNotifications(1);
      assert.equal(n!.subscriptionId, body.id);
      assert.equal(n!.clientState, "secret-state");
      assert.equal(n!.changeType, "created");
      assert.equal(n!.resource, `Users/${USER}/Messages/MSG1`);
      assert.equal(n!.tenantId, "11111111-1111-1111-1111-111111111111");
      assert.deepEqual(n!.resourceData, {
        "@odata.type": "#Microsoft.Graph.Message",
        "@odata.id": `Users/${USER}/Messages/MSG1`,
        "@odata.etag": 'W/"CK1"',
        id: "MSG1",
      });
      assert.equal(receiver.posts.find((p) => p.validationToken === null)?.path, "/notify");

      await control(`/subscriptions/${body.id}/lifecycle`, { event: "reauthorizationRequired" });
      await control("/notifications/flush", {});
      const lifecycle = receiver.posts.filter((p) => p.path === "/lifecycle" && p.validationToken === null);
      assert.equal(lifecycle.length, 1);
      const event = JSON.parse(lifecycle[0]!.body).value[0];
      assert.equal(event.lifecycleEvent, "reauthorizationRequired");
      assert.equal(event.subscriptionId, body.id);
      assert.equal(event.clientState, "secret-state");

      const reauth = await fetch(`${h.graph}/subscriptions/${body.id}/reauthorize`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
      assert.equal(reauth.status, 204);
      const renewed = await fetch(`${h.graph}/subscriptions/${body.id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ expirationDateTime: new Date(Date.now() + 7200_000).toISOString() }),
      });
      assert.equal(renewed.status, 200);
      const del = await fetch(`${h.graph}/subscriptions/${body.id}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
      assert.equal(del.status, 204);
      const gone = await fetch(`${h.graph}/subscriptions/${body.id}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(gone.status, 404);
    } finally {
      await receiver.close();
    }
  });

  test("a receiver that does not echo the token fails validation with 400", async () => {
    for (const mode of ["wrong-token", "status-500"] as const) {
      const receiver = await startReceiver(mode);
      try {
        const { status, body } = await subscribe({
          changeType: "created",
          notificationUrl: receiver.url,
          resource: "me/messages",
          expirationDateTime: soon(),
        });
        assert.equal(status, 400);
        assert.equal(body.error.code, "ValidationError");
        assert.match(body.error.message, /^Subscription validation request failed\./);
      } finally {
        await receiver.close();
      }
    }
  });

  test("Graph's creation rules: lifetime, clientState length, https, resource, scope", async () => {
    const base = { changeType: "created", notificationUrl: "https://localhost:1/x", resource: "me/messages", expirationDateTime: soon() };
    const tooLong = await subscribe({ ...base, expirationDateTime: new Date(Date.now() + 10_081 * 60_000).toISOString() });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.body.error.message, /10080 minutes/);
    assert.equal((await subscribe({ ...base, clientState: "x".repeat(129) })).status, 400);
    assert.equal((await subscribe({ ...base, notificationUrl: "http://example.com/x" })).status, 400);
    assert.equal((await subscribe({ ...base, resource: "me/drive/root" })).status, 400);
    assert.equal((await subscribe({ ...base, changeType: "created,moved" })).status, 400);
    assert.equal((await subscribe({ ...base, resource: "me/events" }, stubToken(USER, APP, "Mail.Read"))).status, 403);
  });

  test("a failed delivery is retried; an expired subscription stops delivering", async () => {
    const receiver = await startReceiver("fail-notifications-once");
    try {
      h.pipeline.notifier.configure({ batchDelayMs: 0, retryBaseMs: 10 });
      const { body } = await subscribe({ changeType: "created", notificationUrl: receiver.url, resource: "me/events", expirationDateTime: soon(), clientState: "c" });
      h.feed.emit({ oid: USER, kind: "event", changeType: "created", id: "EV1", changeKey: "k" });
      const [n] = await receiver.waitForNotifications(1);
      assert.equal(n!.resource, `Users/${USER}/Events/EV1`);
      await control(`/subscriptions/${body.id}/expire`, {});
      h.feed.emit({ oid: USER, kind: "event", changeType: "created", id: "EV2" });
      await control("/notifications/flush", {});
      assert.equal(receiver.notifications().length, 1);
      const deliveries = (await control("/notifications"))?.deliveries.filter((d: any) => d.kind === "change");
      assert.equal(deliveries.at(-1).attempts, 2);
      assert.equal(deliveries.at(-1).state, "delivered");
    } finally {
      await receiver.close();
    }
  });
});

describe("browsers", () => {
  test("CORS preflights are answered without a token; responses expose the request ids", async () => {
    const preflight = await fetch(`${h.graph}/me/messages`, {
      method: "OPTIONS",
      headers: { origin: "https://localhost:3000", "access-control-request-method": "GET", "access-control-request-headers": "authorization,client-request-id" },
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://localhost:3000");
    assert.equal(preflight.headers.get("access-control-allow-headers"), "authorization,client-request-id");
    const res = await get("/me/messages", { origin: "https://localhost:3000" });
    assert.equal(res.headers.get("access-control-allow-origin"), "https://localhost:3000");
    assert.match(res.headers.get("access-control-expose-headers") ?? "", /Retry-After/);
  });
});
