import { test } from "node:test";
import assert from "node:assert/strict";
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
const base = { customerId: "c1", name: "Acme", meetings: [] as string[], lastInteractionAt: null, lastEmailReplyAt: null };

test("median: odd, even, empty", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test("windows are (now − N days, now]: the boundary instant belongs to the older period", () => {
  const a = computeActivity({ ...base, emails: [mail("a", ago(30), "team"), mail("b", ago(29.99), "team"), mail("c", ago(60), "team")], meetings: [ago(0), ago(90)] }, NOW);
  assert.deepEqual(a.last30Days, { emails: 1, meetings: 1 });
  // (now − 60 d, now − 30 d]: the one at exactly 30 days; the one at exactly 60 days is older still.
  assert.deepEqual(a.previous30Days, { emails: 1, meetings: 0 });
  assert.deepEqual(a.last90Days, { emails: 3, meetings: 1 });
  assert.deepEqual(a.previous90Days, { emails: 0, meetings: 1 });
  assert.deepEqual(a.trend30Days, { current: 2, previous: 1, change: 1, changeRatio: 1, direction: "up" });
  assert.equal(a.trend90Days.direction, "up");
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
        // 4: the team's only message is older than 90 days → not counted.
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
