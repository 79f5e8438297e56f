/** Interaction rows → the items the history and the drill-down show. */
import type { EmailConversationItem, HistoryItem, MeetingItem, Participant } from "../../shared/api/reports";
import { LOADING_SUBJECT, NO_SUBJECT, type InteractionRow } from "../interactions/read";

export function subjectOf(subject: string | null): string {
  return subject === null ? LOADING_SUBJECT : subject === "" ? NO_SUBJECT : subject;
}

/** interactions.participants (JSON written by the engine) split into contacts and team members. */
export function splitParticipants(json: string): { contacts: Participant[]; teamMembers: Participant[] } {
  const contacts: Participant[] = [];
  const teamMembers: Participant[] = [];
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    list = [];
  }
  if (!Array.isArray(list)) return { contacts, teamMembers };
  for (const p of list as Partial<Participant>[]) {
    if (!p || typeof p.address !== "string") continue;
    const person: Participant = { name: typeof p.name === "string" && p.name ? p.name : p.address, address: p.address, kind: p.kind === "team_member" ? "team_member" : "contact" };
    if (typeof p.userId === "string") person.userId = p.userId;
    if (typeof p.memberId === "string") person.memberId = p.memberId;
    (person.kind === "team_member" ? teamMembers : contacts).push(person);
  }
  return { contacts, teamMembers };
}

export function toHistoryItem(r: InteractionRow): HistoryItem {
  const people = splitParticipants(r.participants);
  const base = {
    id: r.id,
    type: "interaction" as const,
    subject: subjectOf(r.subject),
    webLink: r.web_link,
    at: r.last_at,
    contacts: people.contacts,
    teamMembers: people.teamMembers,
    detailsPending: r.details_pending === 1,
  };
  if (r.kind === "meeting") {
    const m: MeetingItem = { ...base, kind: "meeting", start: r.first_at, end: r.end_at, cancelled: r.cancelled === 1 };
    return m;
  }
  const e: EmailConversationItem = {
    ...base,
    kind: "email",
    messageCount: r.message_count,
    firstMessageAt: r.first_at,
    lastMessageAt: r.last_at,
    lastDirection: r.last_direction,
    lastReplyAt: r.last_reply_at,
  };
  return e;
}
