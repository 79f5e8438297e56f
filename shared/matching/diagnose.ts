/**
 * "Why wasn't this synced?": turns the decision for one message or meeting (made by the same
 * decideMessage/decideEvent the sync uses) plus the sync's state into plain-English reasons and
 * the fixes that would change the outcome. Every fix is checked by deciding again with the fix
 * applied, so the pane never offers one that would not help. Browser-safe, pure.
 */
import type { ConnectionState, Fix, InteractionSummary, Reason, WhyResponse } from "../api/contract";
import { domainOf, isSmtpAddress, localPartOf, PUBLIC_MAIL_DOMAINS } from "./addresses";
import { decideEvent, decideMessage, type Decision } from "./decide";
import { withExtraUser, type DirectoryIndex, type MatchSettings, type MemberContext } from "./directory";
import type { EventFacts, MessageFacts, Participant } from "./participants";

export type DiagnoseFacts = ({ kind: "email" } & MessageFacts) | ({ kind: "meeting" } & EventFacts);

export interface DiagnoseInput {
  /** The plain facts the decision was made on (names help the wording; never the matching). */
  facts: DiagnoseFacts;
  /** decideMessage/decideEvent(facts, index, member). Recomputed when omitted. */
  decision?: Decision;
  /** Built with plainKeys. */
  index: DirectoryIndex;
  member: MemberContext;
  /** When the message was sent / the meeting starts (epoch ms). Defaults to facts.at. */
  itemAt?: number | null;
  connection: { state: ConnectionState; lastSyncAt: number | null };
  /** Start of the history window (epoch ms): 6 months before now. */
  windowStart: number;
  /**
   * What the sync did with this member's copy: known = it is in the local data (decided by a sync),
   * synced = that decision put it in the history.
   */
  stored: { known: boolean; synced: boolean };
  /** The interactions the item is in right now (from any team member's copy). */
  landedIn: readonly { customerId: string; interaction: InteractionSummary }[];
  customerUrl?: (customerId: string) => string | null;
  /** Formats a time for the reader; defaults to "15 May 2024, 14:03 UTC". */
  formatTime?: (ms: number) => string;
  /** Formats a date for the reader; defaults to "15 May 2024". */
  formatDate?: (ms: number) => string;
}

/** Codes only the diagnosis produces (the rest are Decision ReasonCodes). */
export type DiagnosisCode =
  | "not_connected"
  | "connection_lost"
  | "admin_consent_required"
  | "sync_delayed"
  | "initial_sync_running"
  | "not_yet_synced"
  | "outside_window"
  | "no_longer_matches"
  | "synced_via_colleague"
  | "sender_looks_like_unregistered_alias"
  | "recipient_looks_like_unregistered_alias"
  | "domain_ignored"
  | "domain_setting_off";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function defaultFormatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

export function defaultFormatTime(ms: number): string {
  const d = new Date(ms);
  const hh = String(d.getUTCHours()).padStart(2, "0");
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  return `${defaultFormatDate(ms)}, ${hh}:${mm} UTC`;
}

const SETTING_LABELS: Record<keyof MatchSettings, string> = {
  syncToCustomersByDomain: "Sync to customers instead of users",
  syncUnknownSender: "Sync emails where a team member and user are recipients but sender is unknown",
  syncUnknownOrganizer: "Sync events where a team member and user are participants but organiser is unknown",
};

function listWords(items: readonly string[], max = 3): string {
  if (items.length === 0) return "";
  if (items.length === 1) return items[0]!;
  if (items.length <= max) return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

function squash(local: string): string {
  const plus = local.indexOf("+");
  return (plus >= 0 ? local.slice(0, plus) : local).replace(/[._-]/g, "");
}

/**
 * Does `address` (plain, normalised) look like one of the member's own addresses?
 * "name" when its local part or display name resembles the member's, "company" when it only
 * shares a company domain, null otherwise. Registered addresses are never passed in.
 */
export function aliasLookAlike(
  address: string,
  displayName: string | undefined,
  index: DirectoryIndex,
  memberId: string,
): "name" | "company" | null {
  if (!isSmtpAddress(address)) return null;
  const member = index.members.get(memberId);
  if (member) {
    const local = squash(localPartOf(address));
    const forms = new Set<string>();
    for (const a of member.addresses) if (isSmtpAddress(a)) forms.add(squash(localPartOf(a)));
    const tokens = member.name.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").split(/[^a-z0-9]+/).filter(Boolean);
    if (tokens.length > 0) {
      const first = tokens[0]!;
      const last = tokens[tokens.length - 1]!;
      forms.add(first);
      forms.add(tokens.join(""));
      if (tokens.length > 1) {
        forms.add(last + first);
        forms.add(first[0]! + last);
        forms.add(first + last[0]!);
      }
    }
    if (local.length >= 2 && forms.has(local)) return "name";
    if (displayName && displayName.trim().toLowerCase() === member.name.trim().toLowerCase()) return "name";
  }
  if (index.companyDomains.includes(domainOf(address))) return "company";
  return null;
}

interface Ctx {
  input: DiagnoseInput;
  decision: Decision;
  index: DirectoryIndex;
  noun: "email" | "meeting";
  fmtTime: (ms: number) => string;
  fmtDate: (ms: number) => string;
  reasons: Reason[];
  fixes: Fix[];
}

function decideAgain(ctx: Ctx, index: DirectoryIndex, member: MemberContext): Decision {
  const f = ctx.input.facts;
  return f.kind === "email" ? decideMessage(f, index, member) : decideEvent(f, index, member);
}

function participantByKey(ctx: Ctx, key: string): Participant | undefined {
  return ctx.input.facts.participants.find((p) => p.key === key);
}

function customerName(ctx: Ctx, id: string): string {
  return ctx.index.customers.get(id)?.name ?? id;
}

/** "Alice Andersson (alice@acme.com)" when a name is known, else the address. */
function who(ctx: Ctx, key: string): string {
  const refs = ctx.index.usersByKey.get(key);
  const userName = refs && refs.length > 0 ? ctx.index.users.get(refs[0]!.userId)?.name : undefined;
  const name = userName || participantByKey(ctx, key)?.name;
  return name && name.toLowerCase() !== key ? `${name} (${key})` : key;
}

function addReason(ctx: Ctx, code: string, text: string): void {
  if (!ctx.reasons.some((r) => r.code === code && r.text === text)) ctx.reasons.push({ code, text });
}

function addFix(ctx: Ctx, fix: Fix): void {
  const same = ctx.fixes.some((f) => JSON.stringify(f) === JSON.stringify(fix));
  if (!same) ctx.fixes.push(fix);
}

function withSetting(member: MemberContext, setting: keyof MatchSettings): MemberContext {
  return { ...member, settings: { ...member.settings, [setting]: true } };
}

function withAlias(member: MemberContext, key: string): MemberContext {
  const s = new Set(member.addressKeys);
  s.add(key);
  return { ...member, addressKeys: s };
}

function withUser(index: DirectoryIndex, key: string, customerId: string): DirectoryIndex {
  return withExtraUser(index, key, { userId: "\u0000candidate", customerId, createdAt: Number.NaN });
}

/** Customers to suggest for an address: those whose domain field names its domain, else those with users on it. */
function suggestedCustomers(ctx: Ctx, address: string): string[] {
  const d = domainOf(address);
  if (!d) return [];
  const dk = ctx.index.keys.domainKeyOf(d);
  const byField = ctx.index.customersByDomainKey.get(dk);
  if (byField && byField.length > 0) return [...byField];
  const byUsers = ctx.index.userCustomersByDomainKey.get(dk);
  return byUsers ? [...byUsers] : [];
}

/** Offer "add as a user" for an address, if doing so would make the item sync. */
function offerAddContact(ctx: Ctx, key: string): boolean {
  const participant = participantByKey(ctx, key);
  if (!participant?.smtp) return false;
  const candidates = suggestedCustomers(ctx, key).slice(0, 2);
  let offered = false;
  const targets: (string | null)[] = candidates.length > 0 ? candidates : [null];
  for (const customerId of targets) {
    const sim = decideAgain(ctx, withUser(ctx.index, key, customerId ?? "\u0000new"), ctx.input.member);
    if (!sim.sync) continue;
    const url = customerId && ctx.input.customerUrl ? ctx.input.customerUrl(customerId) : null;
    addFix(ctx, {
      kind: "add_contact",
      label: customerId ? `Add ${key} as a user of ${customerName(ctx, customerId)}` : `Add ${key} as a user of the right customer`,
      address: key,
      customerId,
      customerUrl: url,
    });
    offered = true;
  }
  return offered;
}

function offerSetting(ctx: Ctx, setting: keyof MatchSettings): boolean {
  if (ctx.input.member.settings[setting]) return false;
  const sim = decideAgain(ctx, ctx.index, withSetting(ctx.input.member, setting));
  if (!sim.sync) return false;
  addFix(ctx, { kind: "enable_setting", label: `Turn on "${SETTING_LABELS[setting]}"`, setting });
  return true;
}

/** Reason + fix when an unknown participant looks like the member's own unregistered address. */
function offerAliasIfLookAlike(ctx: Ctx, key: string, asSender: boolean): void {
  const p = participantByKey(ctx, key);
  if (!p?.smtp) return;
  const look = aliasLookAlike(key, p.name, ctx.index, ctx.input.member.memberId);
  if (!look) return;
  const sim = decideAgain(ctx, ctx.index, withAlias(ctx.input.member, key));
  const member = ctx.index.members.get(ctx.input.member.memberId);
  const code = asSender ? "sender_looks_like_unregistered_alias" : "recipient_looks_like_unregistered_alias";
  const role = asSender ? (ctx.noun === "email" ? "The sender" : "The organiser") : "A recipient";
  const text =
    look === "name"
      ? `${role}, ${key}, looks like one of your own addresses${member ? ` (you are registered as ${member.addresses.filter((a) => isSmtpAddress(a)).join(", ")})` : ""} but isn't registered as your alias. If it's yours, add it as an alias in the Outlook app settings.`
      : `${role}, ${key}, is on your company domain but isn't a registered team member address. If it's one of your addresses, add it as an alias in the Outlook app settings.`;
  addReason(ctx, code, text);
  if (sim.sync) addFix(ctx, { kind: "add_alias", label: `Add ${key} as your alias`, address: key });
}

function explainPositive(ctx: Ctx): void {
  const d = ctx.decision;
  const parts: string[] = [];
  // One phrase per contact address: "Pat (shared@partner.com) is a user of Acme and Globex".
  const byKey = new Map<string, string[]>();
  const byDomain = new Map<string, string[]>();
  for (const hit of d.customers) {
    const name = customerName(ctx, hit.customerId);
    for (const k of hit.contactKeys) {
      const viaUser = (ctx.index.usersByKey.get(k) ?? []).some((r) => r.customerId === hit.customerId);
      const map = viaUser ? byKey : byDomain;
      const list = map.get(k) ?? [];
      if (!list.includes(name)) list.push(name);
      map.set(k, list);
    }
  }
  for (const [k, names] of byKey) parts.push(`${who(ctx, k)} is a user of ${listWords(names)}`);
  for (const [k, names] of byDomain) parts.push(`${k} is on ${domainOf(k)}, in the domain field of ${listWords(names)} (you sync to customers by domain)`);
  const matched = parts.length > 0 ? `${parts.join("; ")}.` : "";
  switch (d.outcome) {
    case "contact_participates":
    case "customer_domain":
      addReason(ctx, d.outcome, `${matched} ${d.kind === "email" ? "The sender is" : "The organiser is"} ${d.sender?.kind === "owner" ? "you" : d.fromTeam ? "a team member" : "a customer contact"}, so the ${ctx.noun} syncs.`.trim());
      break;
    case "unknown_sender_allowed":
      addReason(ctx, d.outcome, `${matched} The sender isn't known, but a team member and a customer contact are both recipients and "${SETTING_LABELS.syncUnknownSender}" is on.`.trim());
      // Synced, but if the sender is really the member's unregistered alias it reads as "received".
      if (d.sender) offerAliasIfLookAlike(ctx, d.sender.key, true);
      break;
    case "unknown_organizer_allowed":
      addReason(ctx, d.outcome, `${matched} The organiser isn't known, but a team member and a customer contact both attend and "${SETTING_LABELS.syncUnknownOrganizer}" is on.`.trim());
      break;
    default:
      break;
  }
}

function explainNegative(ctx: Ctx): void {
  const d = ctx.decision;
  const s = ctx.input.member.settings;
  const noun = ctx.noun;
  const senderKey = d.sender?.key;
  switch (d.outcome) {
    case "draft": {
      const names = d.customers.map((h) => customerName(ctx, h.customerId));
      addReason(ctx, "draft", `This is a draft. Drafts never sync; it syncs once it's sent${names.length ? ` (to ${listWords(names)})` : ""}.`);
      return;
    }
    case "series_master":
      addReason(ctx, "series_master", "This is the recurring series itself. Each occurrence syncs as its own meeting.");
      return;
    case "declined":
      addReason(ctx, "declined", "You declined this meeting, so it doesn't count for you. If a colleague attends, it syncs from their calendar.");
      return;
    case "internal":
      addReason(
        ctx,
        "internal",
        `Everyone on this ${noun} is a team member or uses a company domain (${listWords(ctx.index.companyDomains, 4)}), so it's internal and isn't synced.`,
      );
      return;
    case "no_customer_contact": {
      const unmatched = d.unmatchedKeys;
      addReason(
        ctx,
        "no_customer_contact",
        unmatched.length > 0
          ? `No one on this ${noun} is a user in Startdeliver: ${listWords(unmatched.map((k) => who(ctx, k)))} ${unmatched.length === 1 ? "isn't" : "aren't"} registered as a user of any customer.`
          : `No one on this ${noun} is a user in Startdeliver.`,
      );
      explainIgnoredDomains(ctx);
      if (!s.syncToCustomersByDomain && offerSetting(ctx, "syncToCustomersByDomain")) {
        const domains: string[] = [];
        const names: string[] = [];
        for (const k of unmatched) {
          const cs = ctx.index.customersByDomainKey.get(ctx.index.keys.domainKeyOf(domainOf(k)));
          if (!cs) continue;
          if (!domains.includes(domainOf(k))) domains.push(domainOf(k));
          for (const c of cs) if (!names.includes(customerName(ctx, c))) names.push(customerName(ctx, c));
        }
        addReason(
          ctx,
          "domain_setting_off",
          `${listWords(domains)} ${domains.length === 1 ? "is" : "are"} in the domain field of ${listWords(names)}. Turn on "${SETTING_LABELS.syncToCustomersByDomain}" to match by domain, or add the address as a user.`,
        );
      }
      for (const k of unmatched.slice(0, 3)) offerAddContact(ctx, k);
      return;
    }
    case "sender_unknown":
    case "organizer_unknown": {
      const email = d.outcome === "sender_unknown";
      const role = email ? "sender" : "organiser";
      const setting: keyof MatchSettings = email ? "syncUnknownSender" : "syncUnknownOrganizer";
      addReason(
        ctx,
        d.outcome,
        senderKey
          ? `The ${role}, ${who(ctx, senderKey)}, is neither a team member nor a user in Startdeliver, and "${SETTING_LABELS[setting]}" is off.`
          : `This ${noun} has no ${role}, and "${SETTING_LABELS[setting]}" is off.`,
      );
      if (senderKey) offerAliasIfLookAlike(ctx, senderKey, true);
      if (senderKey) offerAddContact(ctx, senderKey);
      offerSetting(ctx, setting);
      return;
    }
    case "sender_unknown_no_team_member_recipient":
    case "organizer_unknown_no_team_member_attendee": {
      const email = d.outcome === "sender_unknown_no_team_member_recipient";
      const setting: keyof MatchSettings = email ? "syncUnknownSender" : "syncUnknownOrganizer";
      addReason(
        ctx,
        d.outcome,
        `The ${email ? "sender" : "organiser"}${senderKey ? `, ${who(ctx, senderKey)},` : ""} isn't known. "${SETTING_LABELS[setting]}" is on, but it needs a team member among the ${email ? "recipients" : "attendees"}, and there is none.`,
      );
      if (senderKey) offerAliasIfLookAlike(ctx, senderKey, true);
      for (const p of ctx.input.facts.participants) {
        if (p.key !== senderKey && !p.isResource) offerAliasIfLookAlike(ctx, p.key, false);
      }
      if (senderKey) offerAddContact(ctx, senderKey);
      return;
    }
    default:
      return;
  }
}

function explainIgnoredDomains(ctx: Ctx): void {
  if (!ctx.input.member.settings.syncToCustomersByDomain) return;
  for (const k of ctx.decision.unmatchedKeys) {
    const d = domainOf(k);
    const cs = ctx.index.ignoredDomainCustomersByKey.get(ctx.index.keys.domainKeyOf(d));
    if (!cs || cs.length === 0) continue;
    const why = PUBLIC_MAIL_DOMAINS.has(d) ? "it's a public email provider" : "it's one of your company domains";
    addReason(
      ctx,
      "domain_ignored",
      `${d} is in the domain field of ${listWords(cs.map((c) => customerName(ctx, c)))}, but ${why}, so it isn't used for domain matching. Add ${k} as a user instead.`,
    );
  }
}

function explainNotes(ctx: Ctx): void {
  const d = ctx.decision;
  const idx = ctx.index;
  const negative = !d.sync && d.outcome !== "draft" && d.outcome !== "series_master" && d.outcome !== "declined" && d.outcome !== "internal";
  if (d.cancelled && d.sync) {
    addReason(ctx, "cancelled", "This meeting was cancelled: it's shown on the customer marked as cancelled and doesn't count as an interaction.");
  }
  if (negative) {
    for (const k of d.nonSmtpKeys) {
      addReason(ctx, "non_smtp_address", `${k.length > 60 ? `${k.slice(0, 57)}...` : k} is an internal Exchange address, not an email address, so it can't be matched to a customer contact.`);
    }
  }
  for (const k of d.companyDomainUserKeys) {
    const customers = [...new Set((idx.usersByKey.get(k) ?? []).map((r) => customerName(ctx, r.customerId)))];
    addReason(ctx, "company_domain_contact", `${k} is registered as a user of ${listWords(customers)}, but addresses on your company domains are never customer contacts.`);
  }
  for (const k of d.teamMemberUserKeys) {
    const customers = [...new Set((idx.usersByKey.get(k) ?? []).map((r) => customerName(ctx, r.customerId)))];
    addReason(ctx, "team_member_user_record", `${k} is registered as a user of ${listWords(customers)}, but it's a team member's address, and team members are never customer contacts.`);
  }
  for (const k of d.multiRecordKeys) {
    const refs = idx.usersByKey.get(k) ?? [];
    const customers = [...new Set(refs.map((r) => customerName(ctx, r.customerId)))];
    addReason(
      ctx,
      "address_on_several_users",
      `${k} is on ${refs.length} user records (${listWords(customers)}). The ${ctx.noun} is linked to all of them${d.sync ? "" : " once it syncs"}.`,
    );
  }
  if (d.sync && d.createdAfterUserIds.length > 0) {
    const itemAt = ctx.input.itemAt ?? ctx.input.facts.at ?? null;
    const synced = ctx.input.landedIn.length > 0 || ctx.input.stored.synced;
    for (const id of d.createdAfterUserIds) {
      const u = idx.users.get(id);
      if (!u) continue;
      const when = Number.isFinite(u.createdAt) ? ` on ${ctx.fmtDate(u.createdAt)}` : "";
      const after = itemAt !== null ? ` (${ctx.fmtDate(itemAt)})` : "";
      addReason(
        ctx,
        "contact_created_after_message",
        `${u.address} was added as a user of ${customerName(ctx, u.customerId)}${when}, after this ${ctx.noun}${after}. ${synced ? "It was captured retroactively." : "It's captured retroactively in the next sync."}`,
      );
    }
  }
}

function explainConnection(ctx: Ctx): boolean {
  const { state, lastSyncAt } = ctx.input.connection;
  switch (state) {
    case "not_connected":
      addReason(ctx, "not_connected", "Outlook isn't connected for you, so nothing from your mailbox or calendar syncs.");
      addFix(ctx, { kind: "authenticate", label: "Connect Outlook" });
      return false;
    case "connection_lost":
      addReason(ctx, "connection_lost", "The connection to Microsoft 365 was lost (for example after a password change), so syncing has stopped. Re-authenticate to resume; the last 6 months are caught up automatically.");
      addFix(ctx, { kind: "authenticate", label: "Re-authenticate" });
      return false;
    case "admin_consent_required":
      addReason(ctx, "admin_consent_required", "Your Microsoft 365 admin must approve the app before you can connect, so nothing syncs yet.");
      addFix(ctx, { kind: "authenticate", label: "Connect again after your admin approves" });
      return false;
    case "temporarily_failing":
      addReason(ctx, "sync_delayed", `Microsoft 365 is temporarily refusing requests, so syncing is delayed${lastSyncAt !== null ? ` (last sync at ${ctx.fmtTime(lastSyncAt)})` : ""}. It resumes automatically.`);
      return true;
    default:
      return true;
  }
}

function explainPending(ctx: Ctx, connected: boolean): void {
  const { stored, connection } = ctx.input;
  const itemAt = ctx.input.itemAt ?? ctx.input.facts.at ?? null;
  const last = connection.lastSyncAt;
  const lastText = last !== null ? ` (last sync at ${ctx.fmtTime(last)})` : "";
  if (stored.known) {
    addReason(
      ctx,
      "not_yet_synced",
      `This ${ctx.noun} didn't match when it was last synced${lastText}, but it does now. It's added in the next sync.`,
    );
    if (connected) addFix(ctx, { kind: "sync_now", label: "Sync now" });
    return;
  }
  if (!connected) return;
  if (last === null || connection.state === "initial_sync") {
    addReason(ctx, "initial_sync_running", `The first sync hasn't reached this ${ctx.noun} yet. The first sync of 6 months can take up to 24 hours.`);
    return;
  }
  if (itemAt === null || itemAt > last) {
    addReason(ctx, "not_yet_synced", `This ${ctx.noun} is newer than the last sync${lastText}. It syncs in the next cycle.`);
  } else {
    addReason(ctx, "not_yet_synced", `This ${ctx.noun} hasn't been picked up by the sync yet${lastText}. It syncs in the next cycle.`);
  }
  addFix(ctx, { kind: "sync_now", label: "Sync now" });
}

const SHORT: Record<string, string> = {
  draft: "it's a draft",
  series_master: "it's a recurring series (its occurrences sync)",
  declined: "you declined this meeting",
  internal: "internal",
  no_customer_contact: "no customer contact on it",
  sender_unknown: "the sender isn't known",
  sender_unknown_no_team_member_recipient: "the sender isn't known and no team member is a recipient",
  organizer_unknown: "the organiser isn't known",
  organizer_unknown_no_team_member_attendee: "the organiser isn't known and no team member attends",
};

export function diagnose(input: DiagnoseInput): WhyResponse {
  const f = input.facts;
  const decision = input.decision ?? (f.kind === "email" ? decideMessage(f, input.index, input.member) : decideEvent(f, input.index, input.member));
  const ctx: Ctx = {
    input,
    decision,
    index: input.index,
    noun: f.kind,
    fmtTime: input.formatTime ?? defaultFormatTime,
    fmtDate: input.formatDate ?? defaultFormatDate,
    reasons: [],
    fixes: [],
  };
  const synced = input.landedIn.length > 0 || input.stored.synced;
  const itemAt = input.itemAt ?? f.at ?? null;
  const outside = itemAt !== null && itemAt < input.windowStart;

  const connected = explainConnection(ctx);

  if (decision.sync) {
    if (!synced) {
      if (outside) {
        addReason(ctx, "outside_window", `This ${ctx.noun} is from ${ctx.fmtDate(itemAt)}, before the 6-month window (${ctx.fmtDate(input.windowStart)}); only the last 6 months are synced.`);
      } else {
        explainPending(ctx, connected);
      }
    }
    explainPositive(ctx);
  } else {
    if (synced) {
      if (input.stored.synced) {
        addReason(ctx, "no_longer_matches", `This ${ctx.noun} is in the history from an earlier sync, but it no longer matches (see below). It's removed in the next sync.`);
      } else {
        addReason(ctx, "synced_via_colleague", `This ${ctx.noun} is in the history through a colleague's ${f.kind === "email" ? "mailbox" : "calendar"}, not yours.`);
      }
    }
    const before = ctx.fixes.length;
    explainNegative(ctx);
    if (outside) {
      // Nothing changes the outcome for an item older than the window: drop the fixes that would.
      ctx.fixes.splice(before);
      addReason(ctx, "outside_window", `This ${ctx.noun} is from ${ctx.fmtDate(itemAt)}, before the 6-month window (${ctx.fmtDate(input.windowStart)}), so it won't sync either way.`);
    }
  }
  explainNotes(ctx);

  const customerIds: string[] = [];
  for (const l of input.landedIn) if (!customerIds.includes(l.customerId)) customerIds.push(l.customerId);
  if (synced && customerIds.length === 0 && decision.sync) for (const h of decision.customers) customerIds.push(h.customerId);
  const customers = synced ? customerIds.map((id) => ({ customerId: id, name: customerName(ctx, id) })) : [];

  let headline: string;
  if (synced) {
    const names = listWords(customers.map((c) => c.name));
    headline = names ? `Synced to ${names}` : "Synced";
    if (decision.cancelled) headline += " (cancelled)";
    if (!decision.sync && input.stored.synced) headline += ", but it's removed in the next sync";
  } else if (decision.sync) {
    if (outside) headline = "Not synced: older than 6 months";
    else if (!connected) headline = "Not synced: Outlook isn't connected";
    else if (input.connection.lastSyncAt === null || input.connection.state === "initial_sync") headline = "Not synced yet: the first sync is still running";
    else headline = "Not synced yet: it syncs in the next cycle";
  } else {
    headline = `Not synced: ${SHORT[decision.outcome] ?? decision.outcome}`;
  }

  return {
    synced,
    headline,
    interactions: input.landedIn.map((l) => l.interaction),
    customers,
    reasons: ctx.reasons,
    fixes: ctx.fixes,
    lastSyncAt: input.connection.lastSyncAt !== null ? new Date(input.connection.lastSyncAt).toISOString() : null,
  };
}
