import { test } from "node:test";
import assert from "node:assert/strict";
import type { ImpactResponse } from "../../shared/api/reports";
import { dayGroups, drillTitle, memberGroups, presetOf, presetPeriod } from "./impactLogic";

const days = (n: number, from = "2024-01-01") =>
  Array.from({ length: n }, (_, i) => ({ day: new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10), emails: i, meetings: i % 2 }));

const impact = (n: number): ImpactResponse => ({
  period: { from: "2024-01-01", to: days(n).at(-1)!.day, days: n },
  totals: { emails: 0, meetings: 0 },
  byMember: [{ memberId: "m1", name: "Jane", current: true, emails: 3, meetings: 1 }],
  byDay: days(n),
  asOf: "2024-06-15T12:00:00Z",
});

test("up to 62 days: one bar group per day, drilling into that day", () => {
  const g = dayGroups(impact(30), "en-GB");
  assert.equal(g.length, 30);
  assert.deepEqual(g[4]!.drill, { day: "2024-01-05" });
  assert.equal(g[4]!.emails, 4);
});

test("longer: weeks from the period's start (the last one may be short), sums kept", () => {
  const g = dayGroups(impact(100), "en-GB");
  assert.equal(g.length, 15);
  assert.deepEqual(g[0]!.drill, { from: "2024-01-01", to: "2024-01-07" });
  assert.deepEqual(g[14]!.drill, { from: "2024-04-08", to: "2024-04-09" });
  const sum = g.reduce((n, x) => n + x.emails, 0);
  assert.equal(sum, (99 * 100) / 2);
});

test("members, presets and drill-down titles", () => {
  assert.deepEqual(memberGroups(impact(7))[0]!.drill, { member: "m1" });
  assert.deepEqual(presetPeriod(30, "2024-06-15"), { from: "2024-05-17", to: "2024-06-15" });
  assert.equal(presetOf({ from: "2024-06-09", to: "2024-06-15" }, "2024-06-15"), "7");
  assert.equal(presetOf({ from: "2024-06-01", to: "2024-06-15" }, "2024-06-15"), "custom");
  assert.equal(drillTitle({ kind: "email", member: "m1" }, { from: "2024-05-17", to: "2024-06-15" }, () => "Jane Doe", "en-GB"), "Emails · Jane Doe · 17 May – 15 Jun 2024");
  assert.equal(drillTitle({ kind: "meeting", day: "2024-06-05" }, { from: "2024-05-17", to: "2024-06-15" }, () => "?", "en-GB"), "Meetings · 5 Jun 2024");
});
