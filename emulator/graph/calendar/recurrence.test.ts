import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PatternedRecurrence } from "@microsoft/microsoft-graph-types";
import { occurrenceStarts } from "./recurrence";

const ms = (iso: string) => Date.parse(iso);
const iso = (list: number[]) => list.map((x) => new Date(x).toISOString().replace(".000Z", "Z"));
const HOUR = 3_600_000;

describe("recurrence expansion", () => {
  it("weekly on several days, every other week, keeps the series' time of day for any window", () => {
    const r: PatternedRecurrence = {
      pattern: { type: "weekly", interval: 2, daysOfWeek: ["tuesday", "thursday"], firstDayOfWeek: "sunday" },
      range: { type: "noEnd", startDate: "2025-01-07" },
    };
    const start = ms("2025-01-07T14:30:00Z");
    assert.deepEqual(iso(occurrenceStarts(r, start, HOUR, ms("2025-01-01T00:00:00Z"), ms("2025-01-31T00:00:00Z"))), [
      "2025-01-07T14:30:00Z",
      "2025-01-09T14:30:00Z",
      "2025-01-21T14:30:00Z",
      "2025-01-23T14:30:00Z",
    ]);
    // A window far from the series start, not aligned to midnight.
    // Weeks of 1 and 15 June are "off" weeks (21 and 23 weeks after the start).
    assert.deepEqual(iso(occurrenceStarts(r, start, HOUR, ms("2025-06-03T15:00:00Z"), ms("2025-06-20T07:00:00Z"))), [
      "2025-06-10T14:30:00Z",
      "2025-06-12T14:30:00Z",
    ]);
    assert.deepEqual(iso(occurrenceStarts(r, start, HOUR, ms("2025-06-10T15:00:00Z"), ms("2025-06-12T07:00:00Z"))), ["2025-06-10T14:30:00Z"]);
  });

  it("honours numbered and endDate ranges", () => {
    const numbered: PatternedRecurrence = { pattern: { type: "daily", interval: 3 }, range: { type: "numbered", startDate: "2025-03-01", numberOfOccurrences: 4 } };
    assert.deepEqual(iso(occurrenceStarts(numbered, ms("2025-03-01T09:00:00Z"), HOUR, ms("2025-01-01T00:00:00Z"), ms("2026-01-01T00:00:00Z"))), [
      "2025-03-01T09:00:00Z",
      "2025-03-04T09:00:00Z",
      "2025-03-07T09:00:00Z",
      "2025-03-10T09:00:00Z",
    ]);
    const ended: PatternedRecurrence = { pattern: { type: "weekly", interval: 1, daysOfWeek: ["friday"] }, range: { type: "endDate", startDate: "2025-03-07", endDate: "2025-03-21" } };
    assert.equal(occurrenceStarts(ended, ms("2025-03-07T08:00:00Z"), HOUR, ms("2025-01-01T00:00:00Z"), ms("2026-01-01T00:00:00Z")).length, 3);
  });

  it("expands monthly patterns, including 'last friday'", () => {
    const absolute: PatternedRecurrence = { pattern: { type: "absoluteMonthly", interval: 1, dayOfMonth: 15 }, range: { type: "numbered", startDate: "2025-01-15", numberOfOccurrences: 3 } };
    assert.deepEqual(iso(occurrenceStarts(absolute, ms("2025-01-15T10:00:00Z"), HOUR, 0, ms("2026-01-01T00:00:00Z"))), [
      "2025-01-15T10:00:00Z",
      "2025-02-15T10:00:00Z",
      "2025-03-15T10:00:00Z",
    ]);
    const lastFriday: PatternedRecurrence = { pattern: { type: "relativeMonthly", interval: 1, daysOfWeek: ["friday"], index: "last" }, range: { type: "endDate", startDate: "2025-01-01", endDate: "2025-03-31" } };
    assert.deepEqual(iso(occurrenceStarts(lastFriday, ms("2025-01-31T16:00:00Z"), HOUR, 0, ms("2026-01-01T00:00:00Z"))), [
      "2025-01-31T16:00:00Z",
      "2025-02-28T16:00:00Z",
      "2025-03-28T16:00:00Z",
    ]);
  });

  it("includes an occurrence that started before the window but overlaps it", () => {
    const r: PatternedRecurrence = { pattern: { type: "daily", interval: 1 }, range: { type: "noEnd", startDate: "2025-01-01" } };
    assert.deepEqual(iso(occurrenceStarts(r, ms("2025-01-01T23:00:00Z"), 2 * HOUR, ms("2025-02-02T00:30:00Z"), ms("2025-02-02T01:00:00Z"))), ["2025-02-01T23:00:00Z"]);
  });
});
