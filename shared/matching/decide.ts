/**
 * The decision: does this message or meeting belong in a customer's interaction history, and why.
 * One pure function per kind, used by the server's sync, its local re-decisions after directory
 * changes (on keyed participants), the pane's preview and the "why" diagnosis, so their answers
 * cannot disagree. Browser-safe; no I/O. The rules are written out for people in docs/matching-rules.md.
 */
import type { DirectoryIndex, MemberContext } from "./directory";
import type { EventFacts, MessageFacts, Participant } from "./participants";

/** Codes that decide the outcome (Decision.outcome) or add a note (the rest of Decision.reasons). */
export type ReasonCode =
  // outcome, not synced
  | "draft"
  | "series_master"
  | "declined"
  | "internal"
  | "no_customer_contact"
  | "sender_unknown"
  | "sender_unknown_no_team_member_recipient"
  | "organizer_unknown"
  | "organizer_unknown_no_team_member_attendee"
  // outcome, synced
  | "contact_participates"
  | "customer_domain"
  | "unknown_sender_allowed"
  | "unknown_organizer_allowed"
  // notes
  | "cancelled"
  | "non_smtp_address"
  | "company_domain_contact"
  | "team_member_user_record"
  | "address_on_several_users"
  | "contact_created_after_message";

export type ParticipantKind =
  /** One of the mailbox owner's own addresses (MemberContext.addressKeys). */
  | "owner"
  /** Another team member, by primary address or alias. */
  | "team_member"
  /** On a company domain but not a registered team member address. */
  | "company"
  /** Not an SMTP address (Exchange X500 and the like). */
  | "non_smtp"
  /** Has at least one user record. */
  | "contact"
  /** No user record, but the domain is in a customer's domain field and domain matching is on. */
  | "domain_contact"
  /** Anyone else. */
  | "external";

export interface CustomerHit {
  customerId: string;
  /** Every matched user record of this customer. */
  userIds: string[];
  /** Participant keys that matched this customer (through a user record or the domain field). */
  contactKeys: string[];
  /** True when at least one participant matched this customer through its domain field only. */
  viaDomain: boolean;
  /** The sender (emails) is one of this customer's contacts: the message counts as a "last email reply". */
  senderIsContact: boolean;
}

export interface SenderInfo {
  key: string;
  kind: ParticipantKind;
  /** Set when kind is "owner" or "team_member". */
  memberId: string | null;
}

export interface Decision {
  kind: "email" | "meeting";
  /** Whether it belongs in the interaction history (for this member's copy). */
  sync: boolean;
  /** Whether it counts towards last interaction and activity totals: false when not synced or cancelled. */
  counted: boolean;
  cancelled: boolean;
  /** The code that decided sync; also reasons[0]. */
  outcome: ReasonCode;
  /** outcome first, then notes. */
  reasons: readonly ReasonCode[];
  /**
   * Matched customers, in order of first appearance. Filled even when sync is false (a draft's
   * preview, the diagnosis); store interactions only when sync is true.
   */
  customers: readonly CustomerHit[];
  /** Emails: "sent" when the sender is one of the mailbox owner's own addresses, else "received"; null without a sender and for meetings. */
  direction: "sent" | "received" | null;
  /** The sender (email) or organiser (meeting) is a team member (the owner included). */
  fromTeam: boolean;
  /** The sender (email) or organiser (meeting) is the mailbox owner: for a meeting, this is the organiser's own copy. */
  fromOwner: boolean;
  /** Emails: the sender is a customer contact, i.e. this is an "email reply". */
  lastFromContact: boolean;
  /** The from (email) or organizer (meeting) participant; null when there is none. */
  sender: SenderInfo | null;
  /** Team members among the participants (the owner included), in order of appearance. */
  teamMemberIds: readonly string[];
  /** A team member is among the recipients (email) or attendees (meeting). */
  teamMemberRecipient: boolean;
  /** A contact is among the recipients (email) or attendees (meeting). */
  contactRecipient: boolean;
  /** External SMTP participants that matched nothing: the candidates for "add as a user". */
  unmatchedKeys: readonly string[];
  /** Company-domain addresses that have user records (ignored as contacts). */
  companyDomainUserKeys: readonly string[];
  /** Team member addresses that also have user records (ignored as contacts). */
  teamMemberUserKeys: readonly string[];
  nonSmtpKeys: readonly string[];
  /** Contact addresses on more than one user record. */
  multiRecordKeys: readonly string[];
  /** Matched user records created after the message/meeting time (facts.at). */
  createdAfterUserIds: readonly string[];
}

const NONE: readonly string[] = Object.freeze([]) as readonly string[];
const ONLY: Partial<Record<ReasonCode, readonly ReasonCode[]>> = {};

/** Mutable scratch filled by one pass over the participants. */
interface Scan {
  count: number;
  external: number;
  customers: CustomerHit[] | null;
  sender: SenderInfo | null;
  teamMemberIds: string[] | null;
  teamMemberRecipient: boolean;
  contactRecipient: boolean;
  unmatched: string[] | null;
  companyUsers: string[] | null;
  teamUsers: string[] | null;
  nonSmtp: string[] | null;
  multi: string[] | null;
  createdAfter: string[] | null;
}

function addUnique(list: string[] | null, value: string): string[] {
  if (list === null) return [value];
  if (!list.includes(value)) list.push(value);
  return list;
}

function hitFor(scan: Scan, customerId: string): CustomerHit {
  const list = scan.customers ?? (scan.customers = []);
  for (let i = 0; i < list.length; i++) {
    const h = list[i]!;
    if (h.customerId === customerId) return h;
  }
  const h: CustomerHit = { customerId, userIds: [], contactKeys: [], viaDomain: false, senderIsContact: false };
  list.push(h);
  return h;
}

// One scratch record reused by every decision: decisions are synchronous and never nest.
const scratch: Scan = {
  count: 0,
  external: 0,
  customers: null,
  sender: null,
  teamMemberIds: null,
  teamMemberRecipient: false,
  contactRecipient: false,
  unmatched: null,
  companyUsers: null,
  teamUsers: null,
  nonSmtp: null,
  multi: null,
  createdAfter: null,
};

function scan(
  participants: readonly Participant[],
  index: DirectoryIndex,
  member: MemberContext,
  senderRole: "from" | "organizer",
  at: number | null | undefined,
): Scan {
  const s = scratch;
  s.count = 0;
  s.external = 0;
  s.customers = null;
  s.sender = null;
  s.teamMemberIds = null;
  s.teamMemberRecipient = false;
  s.contactRecipient = false;
  s.unmatched = null;
  s.companyUsers = null;
  s.teamUsers = null;
  s.nonSmtp = null;
  s.multi = null;
  s.createdAfter = null;
  const byDomain = member.settings.syncToCustomersByDomain;
  const checkCreated = typeof at === "number" && Number.isFinite(at);
  const addresses = index.addressEntries;
  const domains = index.domainEntries;
  const own = member.addressKeys;
  for (let i = 0; i < participants.length; i++) {
    const p = participants[i]!;
    if (p.isResource || !p.key) continue;
    s.count++;
    const isSender = p.role === senderRole;
    const entry = addresses.get(p.key);
    let kind: ParticipantKind;
    let memberId: string | null = null;

    if (own.has(p.key)) {
      kind = "owner";
      memberId = member.memberId;
    } else if (entry !== undefined && entry.memberId !== null) {
      memberId = entry.memberId;
      kind = memberId === member.memberId ? "owner" : "team_member";
    } else if (!p.smtp) {
      kind = "non_smtp";
    } else {
      const dom = p.domainKey ? domains.get(p.domainKey) : undefined;
      if (dom !== undefined && dom.company) {
        kind = "company";
        if (entry !== undefined && entry.users !== null) s.companyUsers = addUnique(s.companyUsers, p.key);
      } else {
        s.external++;
        const refs = entry !== undefined ? entry.users : null;
        if (refs !== null && refs.length > 0) {
          kind = "contact";
          if (refs.length > 1) s.multi = addUnique(s.multi, p.key);
          for (let j = 0; j < refs.length; j++) {
            const r = refs[j]!;
            const h = hitFor(s, r.customerId);
            if (!h.userIds.includes(r.userId)) h.userIds.push(r.userId);
            if (!h.contactKeys.includes(p.key)) h.contactKeys.push(p.key);
            if (isSender) h.senderIsContact = true;
            if (checkCreated && r.createdAt > (at as number)) s.createdAfter = addUnique(s.createdAfter, r.userId);
          }
        } else {
          const cs = byDomain && dom !== undefined ? dom.customers : null;
          if (cs !== null && cs.length > 0) {
            kind = "domain_contact";
            for (let j = 0; j < cs.length; j++) {
              const h = hitFor(s, cs[j]!);
              h.viaDomain = true;
              if (!h.contactKeys.includes(p.key)) h.contactKeys.push(p.key);
              if (isSender) h.senderIsContact = true;
            }
          } else {
            kind = "external";
            s.unmatched = addUnique(s.unmatched, p.key);
          }
        }
        if (!isSender && kind !== "external") s.contactRecipient = true;
      }
    }

    if (memberId !== null) {
      s.teamMemberIds = addUnique(s.teamMemberIds, memberId);
      if (!isSender) s.teamMemberRecipient = true;
      if (entry !== undefined && entry.users !== null) s.teamUsers = addUnique(s.teamUsers, p.key);
    } else if (kind === "non_smtp") {
      s.nonSmtp = addUnique(s.nonSmtp, p.key);
    }
    if (isSender && s.sender === null) s.sender = { key: p.key, kind, memberId };
  }
  return s;
}

function isKnown(sender: SenderInfo | null): boolean {
  if (sender === null) return false;
  const k = sender.kind;
  return k === "owner" || k === "team_member" || k === "contact" || k === "domain_contact";
}

function positiveOutcome(s: Scan): ReasonCode {
  const list = s.customers!;
  for (let i = 0; i < list.length; i++) if (list[i]!.userIds.length > 0) return "contact_participates";
  return "customer_domain";
}

function finish(
  kind: "email" | "meeting",
  s: Scan,
  outcome: ReasonCode,
  sync: boolean,
  cancelled: boolean,
): Decision {
  let reasons: readonly ReasonCode[];
  if (!cancelled && !s.nonSmtp && !s.companyUsers && !s.teamUsers && !s.multi && !s.createdAfter) {
    // The common case shares one frozen array per outcome instead of allocating.
    reasons = ONLY[outcome] ?? (ONLY[outcome] = Object.freeze([outcome]));
  } else {
    const list: ReasonCode[] = [outcome];
    if (cancelled) list.push("cancelled");
    if (s.nonSmtp) list.push("non_smtp_address");
    if (s.companyUsers) list.push("company_domain_contact");
    if (s.teamUsers) list.push("team_member_user_record");
    if (s.multi) list.push("address_on_several_users");
    if (s.createdAfter) list.push("contact_created_after_message");
    reasons = list;
  }
  const sender = s.sender;
  const senderKind = sender?.kind;
  return {
    kind,
    sync,
    counted: sync && !cancelled,
    cancelled,
    outcome,
    reasons,
    customers: s.customers ?? (NONE as unknown as CustomerHit[]),
    direction: kind === "meeting" || sender === null ? null : senderKind === "owner" ? "sent" : "received",
    fromTeam: senderKind === "owner" || senderKind === "team_member",
    fromOwner: senderKind === "owner",
    lastFromContact: kind === "email" && (senderKind === "contact" || senderKind === "domain_contact"),
    sender,
    teamMemberIds: s.teamMemberIds ?? NONE,
    teamMemberRecipient: s.teamMemberRecipient,
    contactRecipient: s.contactRecipient,
    unmatchedKeys: s.unmatched ?? NONE,
    companyDomainUserKeys: s.companyUsers ?? NONE,
    teamMemberUserKeys: s.teamUsers ?? NONE,
    nonSmtpKeys: s.nonSmtp ?? NONE,
    multiRecordKeys: s.multi ?? NONE,
    createdAfterUserIds: s.createdAfter ?? NONE,
  };
}

/** Decide one email for the mailbox of `member`. */
export function decideMessage(facts: MessageFacts, index: DirectoryIndex, member: MemberContext): Decision {
  const s = scan(facts.participants, index, member, "from", facts.at);
  let outcome: ReasonCode;
  let sync = false;
  if (facts.isDraft) outcome = "draft";
  else if (s.count > 0 && s.external === 0) outcome = "internal";
  else if (s.customers === null) outcome = "no_customer_contact";
  else if (isKnown(s.sender)) {
    outcome = positiveOutcome(s);
    sync = true;
  } else if (!member.settings.syncUnknownSender) outcome = "sender_unknown";
  else if (!s.teamMemberRecipient) outcome = "sender_unknown_no_team_member_recipient";
  else if (!s.contactRecipient) outcome = "no_customer_contact";
  else {
    outcome = "unknown_sender_allowed";
    sync = true;
  }
  return finish("email", s, outcome, sync, false);
}

/** Decide one meeting occurrence in the calendar of `member`. */
export function decideEvent(facts: EventFacts, index: DirectoryIndex, member: MemberContext): Decision {
  const s = scan(facts.participants, index, member, "organizer", facts.at);
  const cancelled = facts.isCancelled === true;
  let outcome: ReasonCode;
  let sync = false;
  if (facts.type === "seriesMaster") outcome = "series_master";
  else if (facts.memberResponse === "declined") outcome = "declined";
  else if (s.count > 0 && s.external === 0) outcome = "internal";
  else if (s.customers === null) outcome = "no_customer_contact";
  else if (isKnown(s.sender)) {
    outcome = positiveOutcome(s);
    sync = true;
  } else if (!member.settings.syncUnknownOrganizer) outcome = "organizer_unknown";
  else if (!s.teamMemberRecipient) outcome = "organizer_unknown_no_team_member_attendee";
  else if (!s.contactRecipient) outcome = "no_customer_contact";
  else {
    outcome = "unknown_organizer_allowed";
    sync = true;
  }
  return finish("meeting", s, outcome, sync, cancelled);
}

/** Codes of Decision.outcome that mean "synced". */
export const SYNCED_OUTCOMES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "contact_participates",
  "customer_domain",
  "unknown_sender_allowed",
  "unknown_organizer_allowed",
]);
