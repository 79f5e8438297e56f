/**
 * The bridge between the sync's stored facts (keyed hashes) and the shared decision functions, and
 * the compact form decisions are remembered in (interaction_facts.decision).
 *
 * Facts hold HMAC keys of addresses; the directory index is built on plain addresses (the pane and
 * "why" need plain wording). Every address and domain the directory knows is hashed once with the
 * organisation's keyer, so a stored key translates back to the plain address whenever it can
 * matter to a rule; keys of strangers stay hashes, which can never equal a plain address, and so
 * stay strangers. The decision is therefore exactly the one a plain decision would give.
 */
import type { Decision, ReasonCode } from "../../shared/matching/decide";
import { decideEvent, decideMessage } from "../../shared/matching/decide";
import type { DirectoryIndex, MemberContext } from "../../shared/matching/directory";
import type { EventFacts, MessageFacts, Participant } from "../../shared/matching/participants";
import type { EventFact, MailFact, StoredParticipant } from "../sync/facts";

export interface KeyTranslation {
  /** HMAC key of an address → the normalised plain address, for every address of the directory. */
  addressByKey: ReadonlyMap<string, string>;
  /** HMAC key of a domain → the normalised plain domain, for company and customer domains. */
  domainByKey: ReadonlyMap<string, string>;
}

export function translateParticipants(stored: readonly StoredParticipant[], t: KeyTranslation): Participant[] {
  const out: Participant[] = new Array(stored.length);
  for (let i = 0; i < stored.length; i++) {
    const p = stored[i]!;
    const q: Participant = {
      key: t.addressByKey.get(p.k) ?? p.k,
      domainKey: p.d ? (t.domainByKey.get(p.d) ?? p.d) : "",
      smtp: p.s === 1,
      role: p.r,
    };
    if (p.res === 1) q.isResource = true;
    out[i] = q;
  }
  return out;
}

/** The time of a message for threading and "last email reply": sentDateTime is the same in every mailbox. */
export function mailAt(f: Pick<MailFact, "sentAt" | "receivedAt">): string {
  return f.sentAt ?? f.receivedAt;
}

export function mailFactsOf(f: Pick<MailFact, "isDraft" | "sentAt" | "receivedAt" | "participants">, t: KeyTranslation): MessageFacts {
  return { isDraft: f.isDraft, at: Date.parse(mailAt(f)), participants: translateParticipants(f.participants, t) };
}

export function eventFactsOf(f: Pick<EventFact, "isCancelled" | "ownerResponse" | "start" | "participants">, t: KeyTranslation): EventFacts {
  return {
    // calendarView returns occurrences and single instances only; series masters never become facts.
    type: null,
    isCancelled: f.isCancelled,
    memberResponse: f.ownerResponse,
    at: Date.parse(f.start),
    participants: translateParticipants(f.participants, t),
  };
}

export function decideMailFact(f: MailFact, index: DirectoryIndex, member: MemberContext, t: KeyTranslation): Decision {
  return decideMessage(mailFactsOf(f, t), index, member);
}

export function decideEventFact(f: EventFact, index: DirectoryIndex, member: MemberContext, t: KeyTranslation): Decision {
  return decideEvent(eventFactsOf(f, t), index, member);
}

/** What folding needs of a decision, in the order it is stored. */
export interface StoredDecision {
  /** sync */
  s: 0 | 1;
  /** outcome */
  o: ReasonCode;
  /** cancelled */
  x: 0 | 1;
  /** fromTeam */
  f: 0 | 1;
  /** fromOwner (absent in decisions stored before it was kept: read as 0) */
  w?: 1;
  /** teamMemberIds */
  t: string[];
  /** customers: [customerId, userIds, contactKeys, viaDomain, senderIsContact] */
  c: [string, string[], string[], 0 | 1, 0 | 1][];
}

/** Whether a copy belongs in interaction_facts: synced, or a meeting its owner declined (it changes who attended). */
export function keepsRow(d: Decision): boolean {
  return d.sync || d.outcome === "declined";
}

/**
 * The decision as stored. Deterministic (same decision → same string), so comparing strings tells
 * whether a re-decision changes anything for the interactions.
 */
export function encodeDecision(d: Decision): string {
  const s: StoredDecision = {
    s: d.sync ? 1 : 0,
    o: d.outcome,
    x: d.cancelled ? 1 : 0,
    f: d.fromTeam ? 1 : 0,
    ...(d.fromOwner ? { w: 1 as const } : {}),
    t: [...d.teamMemberIds],
    c: d.sync ? d.customers.map((h) => [h.customerId, [...h.userIds], [...h.contactKeys], h.viaDomain ? 1 : 0, h.senderIsContact ? 1 : 0]) : [],
  };
  return JSON.stringify(s);
}

const NONE: readonly string[] = Object.freeze([]);

/** A Decision with what folding reads; the diagnostic lists are empty (they are never stored). */
export function decodeDecision(json: string, kind: "email" | "meeting"): Decision {
  const s = JSON.parse(json) as StoredDecision;
  const customers = s.c.map(([customerId, userIds, contactKeys, viaDomain, senderIsContact]) => ({
    customerId,
    userIds,
    contactKeys,
    viaDomain: viaDomain === 1,
    senderIsContact: senderIsContact === 1,
  }));
  const sync = s.s === 1;
  const cancelled = s.x === 1;
  return {
    kind,
    sync,
    counted: sync && !cancelled,
    cancelled,
    outcome: s.o,
    reasons: [s.o],
    customers,
    direction: null,
    fromTeam: s.f === 1,
    fromOwner: s.w === 1,
    lastFromContact: kind === "email" && customers.some((c) => c.senderIsContact),
    sender: null,
    teamMemberIds: s.t,
    teamMemberRecipient: false,
    contactRecipient: false,
    unmatchedKeys: NONE,
    companyDomainUserKeys: NONE,
    teamMemberUserKeys: NONE,
    nonSmtpKeys: NONE,
    multiRecordKeys: NONE,
    createdAfterUserIds: NONE,
  };
}
