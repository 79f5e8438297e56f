/**
 * Calendars: a weekly series the member organises (one occurrence moved, one cancelled — which
 * attendees still see as cancelled), a weekly series a customer organises (with an exception and a
 * cancelled occurrence), cancelled and declined meetings, a meeting an unknown outside organiser
 * set up with a contact, internal meetings, Teams meetings, room resources as attendees. A meeting
 * two members attend is in both calendars with the same iCalUId.
 */
import type { Attendee, PatternedRecurrence, ResponseType } from "@microsoft/microsoft-graph-types";
import { iCalUIdFor } from "../graph/ids";
import type { SeedEvent, SeedOccurrenceOverride } from "../graph/seed-types";
import { MEETING_SUBJECTS, ROOMS } from "./names";
import { DAY, type OrgModel, type Person } from "./organisation";
import type { Rng } from "./prng";
import type { GeneratedCases } from "./types";

const MINUTE = 60_000;
const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

interface Participant {
  person: Person;
  type: "required" | "optional" | "resource";
  response: ResponseType;
  /** Team member index when the participant has a calendar here. */
  member?: number;
}

interface Meeting {
  subject: string;
  startMs: number;
  minutes: number;
  organizer: Person;
  organizerMember?: number;
  participants: Participant[];
  recurrence?: PatternedRecurrence;
  /** Per member: overrides as that member's calendar holds them. */
  overrides?: (member: number) => SeedOccurrenceOverride[];
  isCancelled?: boolean;
  online?: boolean;
  location?: string;
}

function dateOnly(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function dt(ms: number) {
  return { dateTime: new Date(ms).toISOString().replace("Z", "0000"), timeZone: "UTC" };
}

export class CalendarGenerator {
  private readonly events: SeedEvent[][];
  private meetingNo = 0;
  private readonly rooms: Person[];

  constructor(
    private readonly rng: Rng,
    private readonly org: OrgModel,
    private readonly target: number,
    private readonly nowMs: number,
    private readonly cases: GeneratedCases,
  ) {
    this.events = org.members.map(() => []);
    this.rooms = ROOMS.map((name) => ({ name, address: `${name.toLowerCase().replace(/\s+/g, "-")}@${org.company.domains[0]}` }));
    cases.roomResourceAddress = this.rooms[0]!.address;
  }

  private member(i: number): Person {
    const m = this.org.members[i]!;
    return { name: m.displayName, address: m.primaryAddress };
  }

  private slot(dayMs: number, hour?: number): number {
    const day = Math.floor(dayMs / DAY) * DAY;
    const dow = new Date(day).getUTCDay();
    const weekday = dow === 0 ? day + DAY : dow === 6 ? day + 2 * DAY : day;
    return weekday + (hour ?? this.rng.int(8, 16)) * 60 * MINUTE + (this.rng.chance(0.5) ? 30 * MINUTE : 0);
  }

  /** Writes the meeting into the calendar of every member taking part. Returns its iCalUId. */
  add(m: Meeting): string {
    const uid = iCalUIdFor(`${this.org.company.tenantId}:meeting:${++this.meetingNo}`);
    const holders = new Set<number>();
    if (m.organizerMember !== undefined) holders.add(m.organizerMember);
    for (const p of m.participants) if (p.member !== undefined) holders.add(p.member);
    const attendees: Attendee[] = m.participants.map((p) => ({
      type: p.type,
      status: { response: p.response, time: p.response === "none" ? "0001-01-01T00:00:00Z" : new Date(m.startMs - 3 * DAY).toISOString().replace(".000Z", "Z") },
      emailAddress: { name: p.person.name, address: p.person.address },
    }));
    const subject = m.isCancelled ? `Canceled: ${m.subject}` : m.subject;
    const room = m.participants.find((p) => p.type === "resource");
    const location = room ? room.person.name : m.location ?? (m.online ? "Microsoft Teams Meeting" : "");
    const content = m.online
      ? `<html><body><p>${m.subject}</p><p>Microsoft Teams meeting. Join on your computer, mobile app or room device.</p></body></html>`
      : `<html><body><p>${m.subject}</p></body></html>`;
    for (const h of holders) {
      const isOrganizer = h === m.organizerMember;
      const own = m.participants.find((p) => p.member === h);
      const seed: SeedEvent = {
        key: `meeting-${this.meetingNo}`,
        subject,
        body: { contentType: "html", content },
        bodyPreview: m.online ? `${m.subject} Microsoft Teams meeting` : m.subject,
        start: dt(m.startMs),
        end: dt(m.startMs + m.minutes * MINUTE),
        iCalUId: uid,
        isOrganizer,
        isCancelled: !!m.isCancelled,
        responseStatus: isOrganizer
          ? { response: "organizer", time: "0001-01-01T00:00:00Z" }
          : { response: own?.response ?? "notResponded", time: new Date(m.startMs - 3 * DAY).toISOString().replace(".000Z", "Z") },
        showAs: m.isCancelled || own?.response === "declined" ? "free" : own?.response === "tentativelyAccepted" ? "tentative" : "busy",
        organizer: { emailAddress: { name: m.organizer.name, address: m.organizer.address } },
        attendees,
        location: { displayName: location, locationType: room ? "conferenceRoom" : "default", uniqueIdType: "unknown" },
        locations: location ? [{ displayName: location, locationType: room ? "conferenceRoom" : "default", uniqueIdType: "unknown" }] : [],
        isOnlineMeeting: !!m.online,
        onlineMeetingProvider: m.online ? "teamsForBusiness" : "unknown",
        onlineMeeting: m.online ? { joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${uid.slice(-24)}%40thread.v2/0` } : null,
        responseRequested: true,
        importance: "normal",
        sensitivity: "normal",
        isAllDay: false,
        isReminderOn: !isOrganizer || this.rng.chance(0.8),
        reminderMinutesBeforeStart: 15,
        createdDateTime: new Date(Math.min(this.nowMs, m.startMs - 7 * DAY)).toISOString().replace("Z", "0000Z"),
      };
      if (m.recurrence) seed.recurrence = m.recurrence;
      const overrides = m.overrides?.(h);
      if (overrides && overrides.length) seed.occurrenceOverrides = overrides;
      this.events[h]!.push(seed);
    }
    return uid;
  }

  private weekly(startMs: number, weeksBefore: number, weeksAfter: number): PatternedRecurrence {
    return {
      pattern: { type: "weekly", interval: 1, daysOfWeek: [DAYS[new Date(startMs).getUTCDay()]!], firstDayOfWeek: "sunday" },
      range: { type: "endDate", startDate: dateOnly(startMs), endDate: dateOnly(startMs + (weeksBefore + weeksAfter) * 7 * DAY), recurrenceTimeZone: "UTC" },
    };
  }

  private contact(customerIndex: number, k = 0): Person {
    const people = this.org.contactsByCustomer[customerIndex % this.org.contactsByCustomer.length]!;
    return people[k % people.length]!;
  }

  run(): void {
    const now = this.nowMs;
    const second = this.org.members.length > 1 ? 1 : undefined;

    // Series the member organises: one occurrence moved an hour, one cancelled by the organiser
    // (gone from the organiser's calendar, still shown as cancelled to attending colleagues).
    const s1Start = this.slot(now - 16 * 7 * DAY, 10);
    const s1Moved = s1Start + 11 * 7 * DAY;
    const s1Cancelled = s1Start + 13 * 7 * DAY;
    this.add({
      subject: "Weekly check-in",
      startMs: s1Start,
      minutes: 30,
      organizer: this.member(0),
      organizerMember: 0,
      participants: [
        { person: this.contact(0), type: "required", response: "accepted" },
        ...(second !== undefined ? [{ person: this.member(second), type: "optional" as const, response: "tentativelyAccepted" as const, member: second }] : []),
        { person: this.rooms[0]!, type: "resource", response: "accepted" },
      ],
      recurrence: this.weekly(s1Start, 16, 8),
      online: true,
      overrides: (h) => [
        { originalStart: new Date(s1Moved).toISOString(), changes: { start: dt(s1Moved + 60 * MINUTE), end: dt(s1Moved + 90 * MINUTE) } },
        h === 0 ? { originalStart: new Date(s1Cancelled).toISOString(), deleted: true } : { originalStart: new Date(s1Cancelled).toISOString(), isCancelled: true },
      ],
    });

    // Series a customer organises, seen by the member as an attendee: an exception and a cancelled occurrence.
    const s2Start = this.slot(now - 12 * 7 * DAY, 14);
    const s2Moved = s2Start + 5 * 7 * DAY;
    const s2Cancelled = s2Start + 8 * 7 * DAY;
    this.cases.recurringSeriesICalUId = this.add({
      subject: "Implementation sync",
      startMs: s2Start,
      minutes: 45,
      organizer: this.contact(1),
      participants: [
        { person: this.member(0), type: "required", response: "accepted", member: 0 },
        { person: this.contact(1, 1), type: "optional", response: "none" },
      ],
      recurrence: this.weekly(s2Start, 12, 6),
      overrides: () => [
        { originalStart: new Date(s2Moved).toISOString(), changes: { start: dt(s2Moved + 24 * 60 * MINUTE), end: dt(s2Moved + 24 * 60 * MINUTE + 45 * MINUTE), subject: "Implementation sync (moved)" } },
        { originalStart: new Date(s2Cancelled).toISOString(), isCancelled: true },
      ],
    });

    this.cases.cancelledMeetingICalUId = this.add({
      subject: "Renewal call",
      startMs: this.slot(now + 4 * DAY),
      minutes: 60,
      organizer: this.contact(2),
      participants: [{ person: this.member(0), type: "required", response: "accepted", member: 0 }],
      isCancelled: true,
      online: true,
    });
    this.cases.declinedMeetingICalUId = this.add({
      subject: "Vendor showcase",
      startMs: this.slot(now - 9 * DAY),
      minutes: 60,
      organizer: this.contact(3),
      participants: [
        { person: this.member(0), type: "required", response: "declined", member: 0 },
        { person: this.contact(3, 1), type: "required", response: "accepted" },
      ],
    });
    this.cases.externalOrganizerMeetingICalUId = this.add({
      subject: "Integration workshop",
      startMs: this.slot(now - 6 * DAY),
      minutes: 90,
      organizer: { name: "Pat Partner", address: `pat@${this.org.partnerDomain}` },
      participants: [
        { person: this.member(0), type: "required", response: "accepted", member: 0 },
        { person: this.contact(4), type: "required", response: "accepted" },
      ],
      online: true,
    });
    if (second !== undefined) {
      this.add({
        subject: "Account plan review",
        startMs: this.slot(now - 3 * DAY),
        minutes: 30,
        organizer: this.member(second),
        organizerMember: second,
        participants: [
          { person: this.member(0), type: "required", response: "accepted", member: 0 },
          { person: this.rooms[1]!, type: "resource", response: "accepted" },
        ],
      });
    }
    this.add({ subject: "Focus time", startMs: this.slot(now + 1 * DAY, 9), minutes: 120, organizer: this.member(0), organizerMember: 0, participants: [] });

    // Fill every calendar with single meetings across the history and the next month.
    const from = now - 240 * DAY;
    const to = now + 30 * DAY;
    let guard = 0;
    for (;;) {
      const m = this.events.findIndex((list) => list.length < this.target);
      if (m < 0 || guard++ > this.target * this.events.length * 3) break;
      const start = this.slot(from + this.rng.next() * (to - from));
      const kind = this.rng.weighted({ customer: 60, internal: 25, personal: 15 });
      const ci = this.rng.int(0, this.org.customers.length - 1);
      if (kind === "customer") {
        const theyOrganise = this.rng.chance(0.35);
        const contact = this.contact(ci, this.rng.int(0, 5));
        const participants: Participant[] = [{ person: contact, type: "required", response: this.rng.pick(["accepted", "tentativelyAccepted", "none"] as const) }];
        if (this.rng.chance(0.2)) participants.push({ person: this.rng.pick(this.rooms), type: "resource", response: "accepted" });
        const colleague = this.org.members.length > 1 && this.rng.chance(0.2) ? (m + 1) % this.org.members.length : undefined;
        if (colleague !== undefined) participants.push({ person: this.member(colleague), type: "optional", response: "accepted", member: colleague });
        if (theyOrganise) participants.push({ person: this.member(m), type: "required", response: this.rng.chance(0.9) ? "accepted" : "declined", member: m });
        this.add({
          subject: `${this.rng.pick(MEETING_SUBJECTS)}: ${this.org.customers[ci]!.name}`,
          startMs: start,
          minutes: this.rng.pick([30, 45, 60]),
          organizer: theyOrganise ? contact : this.member(m),
          organizerMember: theyOrganise ? undefined : m,
          participants: theyOrganise ? participants.filter((p) => p.person !== contact) : participants,
          online: this.rng.chance(0.7),
          isCancelled: theyOrganise && this.rng.chance(0.05),
        });
      } else if (kind === "internal" && this.org.members.length > 1) {
        const other = (m + 1 + this.rng.int(0, this.org.members.length - 2)) % this.org.members.length;
        this.add({
          subject: this.rng.pick(["Team sync", "1:1", "Pipeline review", "Onboarding handover"]),
          startMs: start,
          minutes: 30,
          organizer: this.member(m),
          organizerMember: m,
          participants: [{ person: this.member(other), type: "required", response: "accepted", member: other }],
          online: true,
        });
      } else {
        this.add({ subject: this.rng.pick(["Focus time", "Prep", "Lunch"]), startMs: start, minutes: 60, organizer: this.member(m), organizerMember: m, participants: [] });
      }
    }
  }

  eventsFor(member: number): SeedEvent[] {
    return this.events[member]!;
  }
}
