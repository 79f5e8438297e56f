import { test } from "node:test";
import assert from "node:assert/strict";
import type { ConnectionState, ConnectionStatus } from "../../shared/api/contract";
import {
  IDLE_CHECK_MS,
  INITIAL_SYNC_POLL_MS,
  REAUTHENTICATE_LABEL,
  START_LABEL,
  SYNC_FOLLOW_MS,
  checkDelayMs,
  connectionView,
  dataVersion,
  versionChanged,
} from "./connection";

const NOW = new Date("2025-11-27T09:00:00Z");

function status(state: ConnectionState, extra: Partial<ConnectionStatus> = {}): ConnectionStatus {
  return { state, label: "", explanation: "", accountAddress: null, lastSyncAt: null, progress: null, adminConsentUrl: null, lastError: null, retryAt: null, ...extra };
}

test("checks: every 5 s during the initial sync, otherwise once a minute (whatever the state)", () => {
  assert.equal(checkDelayMs(status("initial_sync"), NOW), INITIAL_SYNC_POLL_MS);
  for (const s of ["connected", "not_connected", "connection_lost", "admin_consent_required"] as const) {
    assert.equal(checkDelayMs(status(s), NOW), IDLE_CHECK_MS, s);
  }
  assert.equal(checkDelayMs(null, NOW), IDLE_CHECK_MS, "no status yet (the first read failed): try again in a minute");
});

test("checks: a failing sync is looked at just after its retry, never later than a minute", () => {
  assert.equal(checkDelayMs(status("temporarily_failing", { retryAt: "2025-11-27T09:00:20Z" }), NOW), 22_000);
  assert.equal(checkDelayMs(status("temporarily_failing", { retryAt: "2025-11-27T09:30:00Z" }), NOW), IDLE_CHECK_MS);
});

test("checks: after Sync now, at the initial-sync pace for a while", () => {
  const clicked = NOW.getTime() - 10_000;
  assert.equal(checkDelayMs(status("connected"), NOW, clicked), INITIAL_SYNC_POLL_MS);
  assert.equal(checkDelayMs(status("connected"), NOW, NOW.getTime() - SYNC_FOLLOW_MS), IDLE_CHECK_MS, "not forever");
});

test("the data version changes with the state and with every newer sync, not with progress", () => {
  const a = dataVersion(status("initial_sync", { progress: { itemsDone: 1, itemsEstimated: 10 } }));
  assert.equal(a, dataVersion(status("initial_sync", { progress: { itemsDone: 9, itemsEstimated: 10 } })));
  const b = dataVersion(status("connected", { lastSyncAt: "2025-11-27T08:00:00Z" }));
  const c = dataVersion(status("connected", { lastSyncAt: "2025-11-27T08:05:00Z" }));
  assert.ok(versionChanged(a, b), "initial sync finished");
  assert.ok(versionChanged(b, c), "a newer sync");
  assert.ok(!versionChanged(c, c));
  assert.equal(dataVersion(null), null);
  assert.ok(!versionChanged(null, a), "the first status isn't a change: the answers were asked with it");
});

test("one button starts authentication: 'Re-authenticate' after a lost connection", () => {
  assert.equal(connectionView(status("connection_lost"), NOW).startLabel, REAUTHENTICATE_LABEL);
  assert.equal(connectionView(status("not_connected"), NOW).startLabel, START_LABEL);
  assert.equal(connectionView(status("admin_consent_required"), NOW).startLabel, START_LABEL);
});
