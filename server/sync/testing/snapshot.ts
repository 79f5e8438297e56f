/**
 * What a sync leaves in the database, in a form two databases can be compared in: the stored
 * messages (sync_mail_facts), events (sync_event_facts), interactions and their messages, with
 * every database-local id (team member, customer, contact, interaction id) replaced by something
 * both databases agree on (Entra oid, external ids, the interaction's (kind, customer, group key)),
 * and volatile columns (updated_at, generations, details still loading) left out.
 *
 * The address hashes in participants only compare when both databases key with the same
 * organisation key: installAddressKey() gives them the same one.
 */
import assert from "node:assert/strict";
import type { Db } from "../../db/database";
import type { Vault } from "../../security/vault";
import type { GroundTruth } from "../../../emulator/graph/index";
import { EXCLUDED_WELL_KNOWN } from "../engine";
import { emulatorControl } from "../../../emulator/control-client";

export interface SyncSnapshot {
  mail: Map<string, string>;
  events: Map<string, string>;
  interactions: Map<string, string>;
  interactionMessages: Map<string, string>;
  /** customer_activity per customer (after the refresh of meetings that have started, as the engine's timer does). */
  activity: Map<string, string>;
}

/** The organisation's address key, the same in every database under test (see file comment). */
export function installAddressKey(db: Db, vault: Vault, organisationId: string, keyBase64: string): void {
  db.prepare("INSERT OR REPLACE INTO sync_address_keys (organisation_id, key_blob, created_at) VALUES (?, ?, ?)").run(
    organisationId,
    vault.encrypt(keyBase64, `address-key:${organisationId}`),
    new Date().toISOString(),
  );
}

function ids(db: Db, sql: string): Map<string, string> {
  return new Map((db.prepare(sql).all() as Array<{ id: string; ext: string }>).map((r) => [r.id, r.ext]));
}

function put(map: Map<string, string>, key: string, value: unknown, what: string): void {
  // A key seen twice is a duplicate the primary keys should have made impossible: fail loudly.
  assert.ok(!map.has(key), `duplicate ${what}: ${key}`);
  map.set(key, JSON.stringify(value));
}

interface Activity {
  last_interaction_at: string | null;
  last_email_reply_at: string | null;
  next_meeting_at: string | null;
}

/**
 * customer_activity as stored, per customer external id, and as computed from scratch from the
 * interactions table at `now` (what materialise.ts's refreshActivity computes). A stored row whose
 * next meeting has started is due for the engine's periodic refresh: it is taken as refreshed.
 */
function activities(db: Db, now: Date): Array<{ customer: string; stored: Activity; computed: Activity }> {
  const nowIso = now.toISOString();
  const stored = db.prepare<[string], Activity>("SELECT last_interaction_at, last_email_reply_at, next_meeting_at FROM customer_activity WHERE customer_id = ?");
  const one = (sql: string) => db.prepare<unknown[], { v: string | null }>(sql);
  const lastEmail = one("SELECT MAX(last_at) AS v FROM interactions WHERE customer_id = ? AND kind = 'email' AND counted = 1");
  const lastMeeting = one("SELECT MAX(last_at) AS v FROM interactions WHERE customer_id = ? AND kind = 'meeting' AND counted = 1 AND last_at <= ?");
  const nextMeeting = one("SELECT MIN(last_at) AS v FROM interactions WHERE customer_id = ? AND kind = 'meeting' AND counted = 1 AND last_at > ?");
  const lastReply = one("SELECT MAX(last_reply_at) AS v FROM interactions WHERE customer_id = ? AND kind = 'email'");
  const max = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);
  return (db.prepare("SELECT id, external_id FROM customers").all() as Array<{ id: string; external_id: string }>).map((c) => {
    const computed: Activity = {
      last_interaction_at: max(lastEmail.get(c.id)?.v ?? null, lastMeeting.get(c.id, nowIso)?.v ?? null),
      last_email_reply_at: lastReply.get(c.id)?.v ?? null,
      next_meeting_at: nextMeeting.get(c.id, nowIso)?.v ?? null,
    };
    let row: Activity = stored.get(c.id) ?? { last_interaction_at: null, last_email_reply_at: null, next_meeting_at: null };
    if (row.next_meeting_at !== null && row.next_meeting_at <= nowIso) row = computed;
    return { customer: c.external_id, stored: { ...row }, computed };
  });
}

/** Customers whose stored activity is not what their interactions say (the incremental max-merge went wrong). */
export function assertActivityConsistent(db: Db, now: Date, label: string): void {
  const wrong = activities(db, now).filter((a) => JSON.stringify(a.stored) !== JSON.stringify(a.computed));
  assert.equal(
    wrong.length,
    0,
    `${label}: customer_activity differs from the interactions for ${wrong.length} customer(s): ${wrong
      .slice(0, 3)
      .map((w) => `${w.customer} stored ${JSON.stringify(w.stored)} computed ${JSON.stringify(w.computed)}`)
      .join("; ")}`,
  );
}

export function snapshotSync(db: Db, now: Date = new Date()): SyncSnapshot {
  const memberOid = ids(db, "SELECT id, COALESCE(entra_oid, external_id) AS ext FROM team_members");
  const customerExt = ids(db, "SELECT id, external_id AS ext FROM customers");
  const userExt = ids(db, "SELECT id, external_id AS ext FROM users");
  const oid = (id: string) => memberOid.get(id) ?? `?${id}`;

  const mail = new Map<string, string>();
  for (const r of db
    .prepare(`SELECT member_id, graph_id, folder_id, internet_message_id, conversation_id, received_at, sent_at, is_draft, participants,
      pending_removal_at IS NOT NULL AS pending FROM sync_mail_facts`)
    .all() as Array<Record<string, unknown> & { member_id: string; graph_id: string }>) {
    const { member_id, graph_id, ...rest } = r;
    put(mail, `${oid(member_id)} ${graph_id}`, rest, "mail fact");
  }

  const events = new Map<string, string>();
  for (const r of db
    .prepare(`SELECT member_id, graph_id, ical_uid, series_master_id, original_start, start_at, end_at, is_cancelled, owner_response,
      participants FROM sync_event_facts`)
    .all() as Array<Record<string, unknown> & { member_id: string; graph_id: string }>) {
    const { member_id, graph_id, ...rest } = r;
    put(events, `${oid(member_id)} ${graph_id}`, rest, "event fact");
  }

  const interactionKey = new Map<string, string>();
  const interactions = new Map<string, string>();
  for (const r of db
    .prepare(`SELECT id, customer_id, kind, group_key, first_at, last_at, end_at, message_count, last_direction, last_reply_at,
      cancelled, counted, via_domain, team_member_ids, contact_user_ids FROM interactions`)
    .all() as Array<{
    id: string;
    customer_id: string;
    kind: string;
    group_key: string;
    team_member_ids: string;
    contact_user_ids: string;
    [k: string]: unknown;
  }>) {
    const { id, customer_id, kind, group_key, team_member_ids, contact_user_ids, ...rest } = r;
    const key = `${kind} ${customerExt.get(customer_id) ?? `?${customer_id}`} ${group_key}`;
    interactionKey.set(id, key);
    put(
      interactions,
      key,
      {
        ...rest,
        teamMembers: (JSON.parse(team_member_ids) as string[]).map(oid).sort(),
        contacts: (JSON.parse(contact_user_ids) as string[]).map((u) => userExt.get(u) ?? `?${u}`).sort(),
      },
      "interaction",
    );
  }

  const interactionMessages = new Map<string, string>();
  for (const r of db
    .prepare("SELECT interaction_id, member_id, graph_id, internet_message_id, message_key, at, direction, from_contact FROM interaction_messages")
    .all() as Array<{ interaction_id: string; member_id: string; graph_id: string; [k: string]: unknown }>) {
    const { interaction_id, member_id, graph_id, ...rest } = r;
    put(interactionMessages, `${interactionKey.get(interaction_id) ?? `?${interaction_id}`} | ${oid(member_id)} ${graph_id}`, rest, "interaction message");
  }
  const activity = new Map<string, string>();
  for (const a of activities(db, now)) put(activity, a.customer, a.stored, "customer activity");
  return { mail, events, interactions, interactionMessages, activity };
}

/** A readable account of how two maps differ (first few of each kind), or "" when they are equal. */
function diffMap(name: string, got: Map<string, string>, want: Map<string, string>, limit = 4): string {
  const missing: string[] = [];
  const extra: string[] = [];
  const changed: string[] = [];
  for (const [k, v] of want) {
    const g = got.get(k);
    if (g === undefined) missing.push(k);
    else if (g !== v) changed.push(`${k}\n      got  ${g}\n      want ${v}`);
  }
  for (const k of got.keys()) if (!want.has(k)) extra.push(k);
  if (missing.length + extra.length + changed.length === 0) return "";
  const show = (label: string, xs: string[]) => (xs.length ? `\n   ${label} (${xs.length}):\n    ${xs.slice(0, limit).join("\n    ")}` : "");
  return `${name}: ${got.size} stored, ${want.size} expected${show("missing", missing)}${show("extra", extra)}${show("different", changed)}`;
}

/** Asserts two snapshots are equal, with a diff that says where they are not. */
export function assertSameSnapshot(got: SyncSnapshot, want: SyncSnapshot, label: string): void {
  const parts = [
    diffMap("mail facts", got.mail, want.mail),
    diffMap("event facts", got.events, want.events),
    diffMap("interactions", got.interactions, want.interactions),
    diffMap("interaction messages", got.interactionMessages, want.interactionMessages),
    diffMap("customer activity", got.activity, want.activity),
  ].filter(Boolean);
  assert.ok(parts.length === 0, `${label}:\n  ${parts.join("\n  ")}`);
}

/**
 * The folders a sync reads, told from the emulator's folder list and ground truth: every folder but
 * the root and the subtrees of the excluded well-known folders (known by their names, and by where the
 * ground truth files messages of those folders).
 */
export function syncedFolders<F extends { path: string }>(truth: Pick<GroundTruth, "messages">, folders: F[]): F[] {
  const excludedRoots = new Set<string>(["Drafts", "Deleted Items", "Junk Email", "Outbox", "Conversation History"]);
  for (const m of truth.messages) {
    if (m.folderWellKnownName && (EXCLUDED_WELL_KNOWN as readonly string[]).includes(m.folderWellKnownName)) excludedRoots.add(m.folder.split("/")[0]!);
  }
  return folders.filter((f) => f.path !== "" && !excludedRoots.has(f.path.split("/")[0]!));
}

export interface SyncWindows {
  mailWindowStart(): Date;
  calendarWindow(): { start: Date; end: Date };
}

/**
 * What the sync must hold for a mailbox, from the emulator's ground truth (the control API's
 * GET /graph/mailboxes/:oid/ground-truth): messages in synced folders received inside the mail
 * window (immutable id → folder id), and event occurrences overlapping the calendar window.
 */
export async function expectedFromGroundTruth(
  controlUrl: string,
  oid: string,
  windows: SyncWindows,
): Promise<{ mail: Map<string, string>; events: Set<string>; truth: GroundTruth }> {
  const get = emulatorControl(controlUrl);
  const cal = windows.calendarWindow();
  const truth = await get<GroundTruth>(`/graph/mailboxes/${oid}/ground-truth?start=${cal.start.toISOString()}&end=${cal.end.toISOString()}`);
  const folders = await get<Array<{ id: string; path: string }>>(`/graph/mailboxes/${oid}/folders`);
  const synced = new Set(syncedFolders(truth, folders).map((f) => f.id));
  const windowStart = windows.mailWindowStart().getTime();
  const mail = new Map<string, string>();
  for (const m of truth.messages) {
    if (!synced.has(m.folderId)) continue;
    if (Date.parse(m.receivedDateTime) < windowStart) continue;
    assert.ok(!mail.has(m.immutableId), `the emulator holds ${m.immutableId} twice`);
    mail.set(m.immutableId, m.folderId);
  }
  const events = new Set<string>();
  for (const e of truth.events) {
    if (Date.parse(e.end) <= cal.start.getTime() || Date.parse(e.start) >= cal.end.getTime()) continue;
    events.add(e.immutableId);
  }
  return { mail, events, truth };
}

/**
 * Every item of the ground truth accounted for, exactly once: each expected message is stored once,
 * in the folder the emulator has it in, and nothing else is stored; the same for event occurrences.
 */
export function assertAccountsForGroundTruth(
  db: Db,
  memberId: string,
  expected: { mail: Map<string, string>; events: Set<string> },
  label: string,
): void {
  const mailRows = db.prepare("SELECT graph_id, folder_id FROM sync_mail_facts WHERE member_id = ?").all(memberId) as Array<{ graph_id: string; folder_id: string }>;
  const stored = new Map<string, string>();
  const dupes: string[] = [];
  for (const r of mailRows) {
    if (stored.has(r.graph_id)) dupes.push(r.graph_id);
    stored.set(r.graph_id, r.folder_id);
  }
  const missing = [...expected.mail.keys()].filter((id) => !stored.has(id));
  const extra = [...stored.keys()].filter((id) => !expected.mail.has(id));
  const misplaced = [...stored].filter(([id, folder]) => expected.mail.has(id) && expected.mail.get(id) !== folder).map(([id]) => id);
  assert.deepEqual(
    { duplicates: dupes.length, missing: missing.length, extra: extra.length, misplaced: misplaced.length },
    { duplicates: 0, missing: 0, extra: 0, misplaced: 0 },
    `${label}: mail vs ground truth (${expected.mail.size} expected): duplicates ${dupes.slice(0, 3)} missing ${missing.slice(0, 3)} extra ${extra.slice(0, 3)} misplaced ${misplaced.slice(0, 3)}`,
  );
  const eventIds = (db.prepare("SELECT graph_id FROM sync_event_facts WHERE member_id = ?").all(memberId) as Array<{ graph_id: string }>).map((r) => r.graph_id);
  const eventSet = new Set(eventIds);
  const missingEvents = [...expected.events].filter((id) => !eventSet.has(id));
  const extraEvents = eventIds.filter((id) => !expected.events.has(id));
  assert.deepEqual(
    { duplicates: eventIds.length - eventSet.size, missing: missingEvents.length, extra: extraEvents.length },
    { duplicates: 0, missing: 0, extra: 0 },
    `${label}: events vs ground truth (${expected.events.size} expected): missing ${missingEvents.slice(0, 3)} extra ${extraEvents.slice(0, 3)}`,
  );
  // Every interaction message is a stored fact of a synced copy: nothing lingers from removed mail.
  const orphans = db
    .prepare(`SELECT im.graph_id FROM interaction_messages im JOIN interactions i ON i.id = im.interaction_id
      WHERE im.member_id = ? AND NOT EXISTS (SELECT 1 FROM sync_mail_facts f WHERE i.kind = 'email' AND f.member_id = im.member_id AND f.graph_id = im.graph_id)
        AND NOT EXISTS (SELECT 1 FROM sync_event_facts e WHERE i.kind = 'meeting' AND e.member_id = im.member_id AND e.graph_id = im.graph_id)`)
    .all(memberId) as Array<{ graph_id: string }>;
  assert.equal(orphans.length, 0, `${label}: interaction messages without a stored message: ${orphans.slice(0, 3).map((o) => o.graph_id)}`);
}
