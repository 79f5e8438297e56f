import { test } from "node:test";
import assert from "node:assert/strict";
import type { PeriodCounts } from "../../shared/api/reports";
import { computeActivity, median, type EmailUnit } from "./activity";

const NOW = new Date("2024-06-15T12:00:00.000Z");
const ago = (days: number, hours = 0) => new Date(NOW.getTime() - days * 86_400_000 + hours * 3_600_000).toISOString();
const mail = (conversationId: string, at: string, who: "team" | "contact" | "other", key = `${conversationId}-${at}`): EmailUnit => ({
  conversationId,
  messageKey: key,
  at,
  fromTeam: who === "team",
  fromContact: who === "contact",
});
const base = { customerId: "c1", name: "Acme", days: new Map<string, PeriodCounts>(), lastInteractionAt: null, lastEmailReplyAt: null };

test("median: odd, even, empty", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test("periods are UTC days: today and the 29 days before it are the last 30", () => {
  const days = new Map<string, PeriodCounts>([
    ["2024-06-15", { emails: 1, meetings: 1 }], // today
    ["2024-05-17", { emails: 2, meetings: 0 }], // 29 days ago: still the last 30
    ["2024-05-16", { emails: 4, meetings: 0 }], // 30 days ago: the previous 30
    ["2024-04-17", { emails: 8, meetings: 0 }], // 59 days ago: the previous 30
    ["2024-04-16", { emails: 16, meetings: 0 }], // 60 days ago: only in the last 90
    ["2024-03-17", { emails: 0, meetings: 1 }], // 90 days ago: the previous 90
    ["2023-12-18", { emails: 0, meetings: 7 }], // 180 days ago: outside
  ]);
  const a = computeActivity({ ...base, days, emails: [] }, NOW);
  assert.deepEqual(a.last30Days, { emails: 3, meetings: 1 });
  assert.deepEqual(a.previous30Days, { emails: 12, meetings: 0 });
  assert.deepEqual(a.last90Days, { emails: 31, meetings: 1 });
  assert.deepEqual(a.previous90Days, { emails: 0, meetings: 1 });
  assert.deepEqual(a.trend30Days, { current: 4, previous: 12, change: -8, changeRatio: -8 / 12, direction: "down" });
  assert.deepEqual(a.trend90Days, { current: 32, previous: 1, change: 31, changeRatio: 31, direction: "up" });
});

test("replies: the team's first message in the window, the contact's first message after it", () => {
  const a = computeActivity(
    {
      ...base,
      emails: [
        // 1: contact wrote first, team answered, contact replied 2 h later → 2 h.
        mail("1", ago(20), "contact"),
        mail("1", ago(19), "team"),
        mail("1", ago(19, 2), "contact"),
        mail("1", ago(18), "contact"),
        // 2: team, then someone who isn't this customer's contact → no reply.
        mail("2", ago(10), "team"),
        mail("2", ago(9), "other"),
        // 3: team twice, reply 10 h after the first team message.
        mail("3", ago(5), "team"),
        mail("3", ago(5, 4), "team"),
        mail("3", ago(5, 10), "contact"),
        // 4: the team's only message is before the 90 days → not counted.
        mail("4", ago(100), "team"),
        mail("4", ago(80), "contact"),
        // 5: team message and a reply 30 h later.
        mail("5", ago(3), "team"),
        mail("5", ago(3, 30), "contact"),
      ],
    },
    NOW,
  );
  assert.deepEqual(a.replies, { conversations: 4, replied: 3, share: 0.75, medianTimeToReplySeconds: 10 * 3600 });
});

test("no activity at all", () => {
  const a = computeActivity({ ...base, emails: [] }, NOW);
  assert.deepEqual(a.last30Days, { emails: 0, meetings: 0 });
  assert.deepEqual(a.trend30Days, { current: 0, previous: 0, change: 0, changeRatio: null, direction: "flat" });
  assert.deepEqual(a.replies, { conversations: 0, replied: 0, share: null, medianTimeToReplySeconds: null });
  assert.equal(a.daysSinceLastInteraction, null);
});
