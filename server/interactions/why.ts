/**
 * "Why wasn't this synced?" for one message (or meeting) of the calling team member.
 *
 * The answer agrees with the sync because it is read from what the sync did (interaction_facts,
 * interaction_messages) and explained by shared/matching/diagnose, which runs the same decision
 * function. The decision is made on plain addresses: those of the directory come from the
 * stored facts' key translation, the others from the item's details (stored for synced items,
 * fetched from Graph by id otherwise), so the reasons can name people.
 */
import type { ConnectionState, Reason, WhyRequest, WhyResponse } from "../../shared/api/contract";
import { domainOf, isSmtpAddress, normalizeAddress } from "../../shared/matching/addresses";
import { decideEvent, decideMessage, type Decision } from "../../shared/matching/decide";
import { diagnose, type DiagnoseFacts } from "../../shared/matching/diagnose";
import { plainKeys } from "../../shared/matching/directory";
import { eventFactsFromGraph, messageFactsFromGraph, type Participant } from "../../shared/matching/participants";
import type { Db } from "../db/database";
import { isoOrNull, type GraphMessage } from "../sync/mapping";
import { rowToEventFact, rowToMailFact, type EventFactColumns, type MailFactColumns } from "../sync/store";
import type { EventFact, ItemDetails, ItemDetailsFetcher, MailFact, StoredParticipant } from "../sync/facts";
import { eventFactsOf, mailFactsOf } from "./decisions";
import type { OrgDirectory } from "./directory-cache";
import type { InteractionsEngine } from "./engine";
import { windowStartFor } from "../sync/windows";
import type { MessageLookup } from "./graph-lookup";
import { toSummary, type InteractionReads } from "./read";

export class WhyNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WhyNotFoundError";
  }
}

export interface WhyConnection {
  state: ConnectionState;
  /** ISO time of the last completed sync, if any. */
  lastSyncAt: string | null;
}

export interface WhyDeps {
  db: Db;
  engine: InteractionsEngine;
  reads: InteractionReads;
  fetcher: () => ItemDetailsFetcher | null;
  lookup: () => MessageLookup | null;
  now: () => Date;
  customerUrl?: (customerId: string) => string | null;
}

type MailRow = MailFactColumns;
type EventRow = EventFactColumns;

/**
 * Plain participants for a stored fact: directory addresses come from the key translation; the
 * rest are resolved from the item's details (plain addresses and names as the message had them).
 */
export function resolveParticipants(
  stored: readonly StoredParticipant[],
  translated: readonly Participant[],
  dir: OrgDirectory,
  details: ItemDetails | null,
): Participant[] {
  const byKey = new Map<string, { address: string; name: string }>();
  if (details) {
    for (const p of details.participants) {
      const k = dir.hashAddress(p.address);
      if (k && !byKey.has(k)) byKey.set(k, { address: normalizeAddress(p.address), name: p.name });
    }
  }
  return translated.map((t, i) => {
    const s = stored[i]!;
    const found = byKey.get(s.k);
    if (!found) return t;
    const out: Participant = { ...t, key: found.address };
    if (found.name) out.name = found.name;
    // A domain the directory does not know stays unknown in plain form too.
    if (t.domainKey && t.domainKey === s.d && isSmtpAddress(found.address)) out.domainKey = domainOf(found.address);
    return out;
  });
}

function parseDetails(json: string | null, subject: string | null, webLink: string | null): ItemDetails | null {
  if (!json) return null;
  try {
    return { subject: subject ?? "", webLink, participants: JSON.parse(json) as ItemDetails["participants"] };
  } catch {
    return null;
  }
}

const CONNECTION_CODES = new Set(["not_connected", "connection_lost", "admin_consent_required"]);

export class WhyService {
  private readonly s;
  constructor(private readonly deps: WhyDeps) {
    const db = deps.db;
    this.s = {
      mailById: db.prepare<[string, string], MailRow>("SELECT * FROM sync_mail_facts WHERE member_id = ? AND graph_id = ?"),
      mailByImid: db.prepare<[string, string], MailRow>("SELECT * FROM sync_mail_facts WHERE member_id = ? AND internet_message_id = ?"),
      eventById: db.prepare<[string, string], EventRow>("SELECT * FROM sync_event_facts WHERE member_id = ? AND graph_id = ?"),
      ixFact: db.prepare<[string, string, string], { synced: number; subject: string | null; web_link: string | null; participants: string | null }>(
        "SELECT synced, subject, web_link, participants FROM interaction_facts WHERE member_id = ? AND kind = ? AND graph_id = ?",
      ),
      folders: db.prepare<[string], { folder_id: string }>("SELECT folder_id FROM sync_folders WHERE member_id = ? AND kind = 'mail'"),
    };
  }

  private findStoredMail(memberId: string, graphId: string | null, imid: string | null): MailFact | null {
    if (graphId) {
      const r = this.s.mailById.get(memberId, graphId);
      if (r) return rowToMailFact(r);
    }
    if (imid) {
      const rows = this.s.mailByImid.all(memberId, imid);
      // The same message filed twice in one mailbox: prefer the copy that synced.
      const synced = rows.find((r) => this.s.ixFact.get(memberId, "email", r.graph_id)?.synced === 1);
      const r = synced ?? rows[0];
      if (r) return rowToMailFact(r);
    }
    return null;
  }

  async why(orgId: string, memberId: string, request: WhyRequest, connection: WhyConnection): Promise<WhyResponse> {
    const imid = request.internetMessageId?.trim() || null;
    const restId = request.restId?.trim() || null;
    const dir = this.deps.engine.directory(orgId);
    const member = dir.contexts.get(memberId);
    if (!member) throw new WhyNotFoundError("You are not a team member of this organisation");

    let mail = this.findStoredMail(memberId, restId, imid);
    let event: EventFact | null = null;
    if (!mail && restId) {
      const r = this.s.eventById.get(memberId, restId);
      if (r) event = rowToEventFact(r);
    }
    if (mail) return this.explainStoredMail(dir, memberId, mail, connection);
    if (event) return this.explainStoredEvent(dir, memberId, event, connection);

    // Not in the local data: read it from Graph with the member's token.
    const connected = connection.state === "connected" || connection.state === "initial_sync" || connection.state === "temporarily_failing";
    const lookup = this.deps.lookup();
    if (!connected || !lookup) {
      if (!connected) return this.notConnected(dir, memberId, connection);
      throw new WhyNotFoundError("This message hasn't been synced and can't be looked up in Microsoft 365 right now");
    }
    let graphMessage = restId ? await lookup.getMessage(memberId, restId) : null;
    if (!graphMessage && imid) graphMessage = await lookup.findMessage(memberId, imid);
    if (graphMessage) {
      // The pane's REST id is not the immutable id the sync stores: look again with what Graph returned.
      const gid = typeof graphMessage.id === "string" ? graphMessage.id : null;
      mail = this.findStoredMail(memberId, gid, graphMessage.internetMessageId ?? null);
      if (mail) return this.explainStoredMail(dir, memberId, mail, connection);
      return this.explainGraphMessage(dir, memberId, graphMessage, connection);
    }
    if (restId && lookup.getEvent) {
      const e = await lookup.getEvent(memberId, restId);
      if (e) {
        const gid = typeof e.id === "string" ? e.id : null;
        const r = gid ? this.s.eventById.get(memberId, gid) : undefined;
        if (r) return this.explainStoredEvent(dir, memberId, rowToEventFact(r), connection);
        const facts = eventFactsFromGraph(e, plainKeys);
        return this.respond(dir, memberId, { kind: "meeting", ...facts }, facts.at ?? null, { known: false, synced: false }, [], connection);
      }
    }
    throw new WhyNotFoundError("This message isn't in your mailbox (it may have been deleted or moved to another account)");
  }

  private details(memberId: string, kind: "email" | "meeting", graphId: string): Promise<ItemDetails | null> | ItemDetails | null {
    const row = this.s.ixFact.get(memberId, kind, graphId);
    const stored = row ? parseDetails(row.participants, row.subject, row.web_link) : null;
    if (stored) return stored;
    const fetcher = this.deps.fetcher();
    if (!fetcher) return null;
    const p = kind === "email" ? fetcher.fetchMessageDetails(memberId, graphId) : fetcher.fetchEventDetails(memberId, graphId);
    // Names only improve the wording: an unreachable Graph must not fail the answer.
    return p.catch(() => null);
  }

  private async explainStoredMail(dir: OrgDirectory, memberId: string, f: MailFact, connection: WhyConnection): Promise<WhyResponse> {
    const base = mailFactsOf(f, dir);
    const details = await this.details(memberId, "email", f.graphId);
    const participants = resolveParticipants(f.participants, base.participants, dir, details);
    const stored = { known: true, synced: this.s.ixFact.get(memberId, "email", f.graphId)?.synced === 1 };
    const landed = this.deps.reads.interactionsOfMessage(dir.organisationId, memberId, f.graphId, f.internetMessageId);
    return this.respond(dir, memberId, { kind: "email", ...base, participants }, Date.parse(f.receivedAt), stored, landed, connection);
  }

  private async explainStoredEvent(dir: OrgDirectory, memberId: string, f: EventFact, connection: WhyConnection): Promise<WhyResponse> {
    const base = eventFactsOf(f, dir);
    const details = await this.details(memberId, "meeting", f.graphId);
    const participants = resolveParticipants(f.participants, base.participants, dir, details);
    const stored = { known: true, synced: this.s.ixFact.get(memberId, "meeting", f.graphId)?.synced === 1 };
    const landed = this.deps.reads.interactionsOfMessage(dir.organisationId, memberId, f.graphId, null);
    return this.respond(dir, memberId, { kind: "meeting", ...base, participants }, Date.parse(f.start), stored, landed, connection);
  }

  private explainGraphMessage(
    dir: OrgDirectory,
    memberId: string,
    m: GraphMessage,
    connection: WhyConnection,
  ): WhyResponse {
    const facts = messageFactsFromGraph(m, plainKeys);
    const received = isoOrNull(m.receivedDateTime);
    const landed = this.deps.reads.interactionsOfMessage(dir.organisationId, memberId, null, m.internetMessageId ?? null);
    const response = this.respond(dir, memberId, { kind: "email", ...facts }, received ? Date.parse(received) : (facts.at ?? null), { known: false, synced: false }, landed, connection);
    // Drafts, Deleted Items, Junk Email and Outbox are never read by the sync.
    const folder = typeof m.parentFolderId === "string" ? m.parentFolderId : null;
    const synced = new Set(this.s.folders.all(memberId).map((r) => r.folder_id));
    if (folder && synced.size > 0 && !synced.has(folder) && !response.synced && !m.isDraft) {
      const reason: Reason = {
        code: "folder_not_synced",
        text: "This email is in a folder that isn't synced: Drafts, Deleted Items, Junk Email and Outbox are never synced. Move it to your Inbox or another folder to sync it.",
      };
      response.reasons = [reason, ...response.reasons.filter((r) => r.code !== "not_yet_synced" && r.code !== "initial_sync_running")];
      response.fixes = response.fixes.filter((f) => f.kind !== "sync_now");
      if (response.headline.startsWith("Not synced yet")) response.headline = "Not synced: it's in a folder that isn't synced";
    }
    return response;
  }

  private respond(
    dir: OrgDirectory,
    memberId: string,
    facts: DiagnoseFacts,
    /** Emails: receivedDateTime (the sync's window is on it). Meetings: the start. */
    itemAt: number | null,
    stored: { known: boolean; synced: boolean },
    landed: ReturnType<InteractionReads["interactionsOfMessage"]>,
    connection: WhyConnection,
  ): WhyResponse {
    const member = dir.contexts.get(memberId)!;
    const decision: Decision = facts.kind === "email" ? decideMessage(facts, dir.index, member) : decideEvent(facts, dir.index, member);
    return diagnose({
      facts,
      decision,
      index: dir.index,
      member,
      itemAt,
      connection: { state: connection.state, lastSyncAt: connection.lastSyncAt ? Date.parse(connection.lastSyncAt) : null },
      windowStart: windowStartFor(this.deps.now(), this.deps.engine.historyMonths).getTime(),
      stored,
      landedIn: landed.map((r) => ({ customerId: r.customer_id, interaction: toSummary(r) })),
      customerUrl: this.deps.customerUrl,
    });
  }

  private notConnected(dir: OrgDirectory, memberId: string, connection: WhyConnection): WhyResponse {
    const r = this.respond(dir, memberId, { kind: "email", participants: [] }, null, { known: false, synced: false }, [], connection);
    const headline =
      connection.state === "connection_lost"
        ? "Not synced: the connection to Microsoft 365 was lost"
        : connection.state === "admin_consent_required"
          ? "Not synced: your admin must approve the app first"
          : "Not synced: Outlook isn't connected";
    return {
      ...r,
      synced: false,
      headline,
      interactions: [],
      customers: [],
      reasons: r.reasons.filter((x) => CONNECTION_CODES.has(x.code)),
      fixes: r.fixes.filter((x) => x.kind === "authenticate"),
    };
  }
}
