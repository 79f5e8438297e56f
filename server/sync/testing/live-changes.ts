/**
 * Live changes to a mailbox while the sync runs: what a user and their correspondents do to a real
 * mailbox. Messages are added (new conversations, replies into existing ones — some dated before the
 * conversation's first message, which moves the conversation's key), updated (read state, recipients),
 * moved between synced folders, out of them (Deleted Items, Junk) and back, and deleted; meetings are
 * added, rescheduled (inside the window and out of it), get new attendees, are cancelled or deleted,
 * single occurrences of a series too.
 *
 * Every change is drawn from a seeded PRNG and made either directly in the emulator's store
 * (synchronous: usable between two pages of a run) or through the emulator's control API (HTTP).
 * A change whose target vanished meanwhile is drawn again, so N calls make exactly N changes.
 */
import type { Emulator } from "../../../emulator/server";
import type { GeneratedOrganisation } from "../../../emulator/generator/types";
import type { GroundTruth, GroundTruthMessage, GroundTruthOccurrence, SeedEvent, SeedMessage } from "../../../emulator/graph/index";

const DAY = 86400_000;
const SYNCED_TARGETS = ["inbox", "archive", "sentitems", "customers", "key-accounts", "projects"];
const OUT_TARGETS = ["deleteditems", "junkemail"];
const OUT_WELL_KNOWN = new Set(["deleteditems", "junkemail", "drafts", "outbox", "conversationhistory"]);

type Address = { emailAddress: { name: string; address: string } };

/** One change, in both forms: the store call and the control API request. */
interface Change {
  kind: string;
  direct(emu: Emulator, oid: string): void;
  method: string;
  path: string;
  body?: unknown;
}

export class LiveChanges {
  readonly counts: Record<string, number> = {};
  applied = 0;
  private truth: GroundTruth | null = null;
  private truthAge = 0;
  private serial = 0;
  private readonly member: Address;
  private readonly contacts: Address[];

  constructor(
    private readonly emu: Emulator,
    private readonly org: GeneratedOrganisation,
    private readonly oid: string,
    private readonly random: () => number,
    private readonly options: { mailShare?: number; refreshEvery?: number; tag?: string } = {},
  ) {
    const m = org.teamMembers.find((t) => t.oid === oid)!;
    this.member = { emailAddress: { name: m.displayName, address: m.primaryAddress } };
    this.contacts = org.contacts.map((c) => ({ emailAddress: { name: c.name, address: c.address } }));
  }

  /** One change made in the emulator's store, synchronously. */
  applyDirect(): string {
    for (let attempt = 0; ; attempt++) {
      const change = this.draw(attempt > 0);
      try {
        change.direct(this.emu, this.oid);
        return this.count(change.kind);
      } catch (error) {
        if (attempt > 20) throw error;
      }
    }
  }

  /** One change through the control API (/_emulator/graph/...). */
  async applyViaControl(): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const change = this.draw(attempt > 0);
      const res = await fetch(`${this.emu.url}/_emulator/graph${change.path}`, {
        method: change.method,
        headers: { "content-type": "application/json" },
        body: change.body === undefined ? undefined : JSON.stringify(change.body),
      });
      await res.arrayBuffer();
      if (res.ok) return this.count(change.kind);
      if (attempt > 20) throw new Error(`control ${change.method} ${change.path} → ${res.status}`);
    }
  }

  async apply(n: number, via: "control" | "direct"): Promise<void> {
    for (let i = 0; i < n; i++) {
      if (via === "control") await this.applyViaControl();
      else this.applyDirect();
    }
  }

  private count(kind: string): string {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    this.applied++;
    this.truthAge++;
    return kind;
  }

  private groundTruth(fresh: boolean): GroundTruth {
    if (fresh || !this.truth || this.truthAge >= (this.options.refreshEvery ?? 10)) {
      this.truth = this.emu.graph.store.groundTruth(this.oid);
      this.truthAge = 0;
    }
    return this.truth;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private draw(fresh: boolean): Change {
    const truth = this.groundTruth(fresh);
    return this.chance(this.options.mailShare ?? 0.75) ? this.drawMail(truth) : this.drawEvent(truth);
  }

  // ───────────────────────────── mail ─────────────────────────────

  private drawMail(truth: GroundTruth): Change {
    const now = this.emu.graph.store.now();
    const inWindow = truth.messages.filter((m) => !m.isDraft && Date.parse(m.receivedDateTime) > now - 175 * DAY);
    const synced = inWindow.filter((m) => !m.folderWellKnownName || !OUT_WELL_KNOWN.has(m.folderWellKnownName));
    const contactAddresses = new Set(this.contacts.map((c) => c.emailAddress.address.toLowerCase()));
    const withContacts = synced.filter((m) => m.from && contactAddresses.has(m.from.toLowerCase()));
    const target = (): GroundTruthMessage => this.pick(this.chance(0.5) && withContacts.length > 0 ? withContacts : synced);
    const r = this.random();
    const base = `/mailboxes/${this.oid}/messages`;
    if (r < 0.25) return this.addMessage(base, now, null);
    if (r < 0.4) return this.addMessage(base, now, target());
    if (r < 0.55) {
      const m = target();
      const patch: Partial<SeedMessage> = this.chance(0.5) ? { isRead: this.chance(0.5) } : { ccRecipients: [this.pick(this.contacts), this.pick(this.contacts)] };
      const kind = "isRead" in patch ? "mail-update-read" : "mail-update-recipients";
      return {
        kind,
        direct: (emu, oid) => void emu.graph.store.updateMessage(oid, m.immutableId, patch),
        method: "PATCH",
        path: `${base}/${encodeURIComponent(m.immutableId)}`,
        body: patch,
      };
    }
    if (r < 0.85) {
      let m: GroundTruthMessage;
      let folder: string;
      let kind: string;
      const out = inWindow.filter((x) => x.folderWellKnownName && OUT_TARGETS.includes(x.folderWellKnownName));
      const roll = this.random();
      if (roll < 0.5) {
        m = target();
        folder = this.pick(SYNCED_TARGETS);
        kind = "mail-move";
      } else if (roll < 0.8 || out.length === 0) {
        m = target();
        folder = this.pick(OUT_TARGETS);
        kind = "mail-move-out";
      } else {
        m = this.pick(out);
        folder = this.pick(SYNCED_TARGETS);
        kind = "mail-move-in";
      }
      return {
        kind,
        direct: (emu, oid) => void emu.graph.store.moveMessage(oid, m.immutableId, folder),
        method: "POST",
        path: `${base}/${encodeURIComponent(m.immutableId)}/move`,
        body: { folder },
      };
    }
    const m = target();
    return {
      kind: "mail-delete",
      direct: (emu, oid) => emu.graph.store.deleteMessage(oid, m.immutableId),
      method: "DELETE",
      path: `${base}/${encodeURIComponent(m.immutableId)}`,
    };
  }

  private addMessage(base: string, now: number, replyTo: GroundTruthMessage | null): Change {
    const n = ++this.serial;
    const tag = this.options.tag ?? "live";
    const sent = this.chance(0.4);
    const contact = this.pick(this.contacts);
    let at: number;
    if (replyTo) {
      const anchor = Date.parse(replyTo.receivedDateTime);
      // Half the replies predate the message they join: the conversation's first message changes.
      at = this.chance(0.5) ? anchor - (1 + Math.floor(this.random() * 48)) * 3600_000 : Math.min(now - 60_000, anchor + (1 + Math.floor(this.random() * 48)) * 3600_000);
    } else {
      // A few land before the window: the sync must leave them out.
      at = this.chance(0.1) ? now - (190 + Math.floor(this.random() * 20)) * DAY : now - Math.floor(this.random() * 170 * DAY);
    }
    const time = new Date(at - (at % 1000)).toISOString().replace(".000Z", "Z");
    const message: Omit<SeedMessage, "folderKey"> = {
      subject: replyTo ? `RE: ${replyTo.subject ?? ""}` : `${tag} message ${n}`,
      internetMessageId: `<${tag}-${n}-${Math.floor(this.random() * 1e9).toString(36)}@${sent ? "member" : "contact"}.test>`,
      conversationId: replyTo?.conversationId ?? `${tag.toUpperCase()}CONV${n}${Math.floor(this.random() * 1e9).toString(36)}=`,
      receivedDateTime: time,
      sentDateTime: time,
      isRead: sent,
      isDraft: false,
      from: sent ? this.member : contact,
      sender: sent ? this.member : contact,
      toRecipients: sent ? [contact] : [this.member],
      ccRecipients: this.chance(0.3) ? [this.pick(this.contacts)] : [],
      bccRecipients: [],
      body: { contentType: "text", content: `Live change ${n}` },
    };
    const folder = sent ? "sentitems" : this.chance(0.8) ? "inbox" : this.pick(["customers", "key-accounts", "archive"]);
    return {
      kind: replyTo ? "mail-reply" : "mail-add",
      direct: (emu, oid) => void emu.graph.store.addMessage(oid, folder, message),
      method: "POST",
      path: base,
      body: { folder, message },
    };
  }

  // ───────────────────────────── calendar ─────────────────────────────

  private drawEvent(truth: GroundTruth): Change {
    const now = this.emu.graph.store.now();
    const near = truth.events.filter((e) => Math.abs(Date.parse(e.start) - now) < 170 * DAY);
    const singles = near.filter((e) => e.type === "singleInstance");
    const occurrences = near.filter((e) => e.type !== "singleInstance" && e.seriesMasterImmutableId && e.originalStart);
    const base = `/mailboxes/${this.oid}/events`;
    const r = this.random();
    if (r < 0.25 || singles.length === 0) return this.addEvent(base, now);
    if (r < 0.9 || occurrences.length === 0) {
      const e = this.pick(singles);
      const id = e.immutableId;
      const roll = this.random();
      const path = `${base}/${encodeURIComponent(id)}`;
      if (roll < 0.3) {
        const shift = (this.chance(0.5) ? 1 : -1) * (1 + Math.floor(this.random() * 72)) * 3600_000;
        const patch = { start: utc(Date.parse(e.start) + shift), end: utc(Date.parse(e.end) + shift) };
        return { kind: "event-reschedule", direct: (emu, oid) => void emu.graph.store.updateEvent(oid, id, patch), method: "PATCH", path, body: patch };
      }
      if (roll < 0.45) {
        const start = now + (this.chance(0.5) ? 200 : -200) * DAY;
        const patch = { start: utc(start), end: utc(start + Date.parse(e.end) - Date.parse(e.start)) };
        return { kind: "event-move-out", direct: (emu, oid) => void emu.graph.store.updateEvent(oid, id, patch), method: "PATCH", path, body: patch };
      }
      if (roll < 0.6) {
        const patch = {
          attendees: [
            { type: "required", status: { response: "accepted", time: new Date(now).toISOString() }, emailAddress: this.member.emailAddress },
            { type: "required", status: { response: "none", time: new Date(now).toISOString() }, emailAddress: this.pick(this.contacts).emailAddress },
          ],
        };
        return { kind: "event-attendees", direct: (emu, oid) => void emu.graph.store.updateEvent(oid, id, patch as never), method: "PATCH", path, body: patch };
      }
      if (roll < 0.8) return { kind: "event-cancel", direct: (emu, oid) => void emu.graph.store.cancelEvent(oid, id), method: "POST", path: `${path}/cancel` };
      return { kind: "event-delete", direct: (emu, oid) => emu.graph.store.deleteEvent(oid, id), method: "DELETE", path };
    }
    const o: GroundTruthOccurrence = this.pick(occurrences);
    const master = o.seriesMasterImmutableId!;
    const originalStart = o.originalStart!;
    const path = `${base}/${encodeURIComponent(master)}`;
    const q = `?originalStart=${encodeURIComponent(originalStart)}`;
    if (this.chance(0.5)) {
      return { kind: "occurrence-cancel", direct: (emu, oid) => void emu.graph.store.cancelEvent(oid, master, originalStart), method: "POST", path: `${path}/cancel${q}` };
    }
    return { kind: "occurrence-delete", direct: (emu, oid) => emu.graph.store.deleteEvent(oid, master, originalStart), method: "DELETE", path: `${path}${q}` };
  }

  private addEvent(base: string, now: number): Change {
    const n = ++this.serial;
    const tag = this.options.tag ?? "live";
    const day = Math.floor(now / DAY) + Math.floor(this.random() * 340) - 170;
    const start = day * DAY + (9 + Math.floor(this.random() * 8)) * 3600_000;
    const end = start + (this.chance(0.5) ? 30 : 60) * 60_000;
    const organised = this.chance(0.5);
    const contact = this.pick(this.contacts);
    const response = organised ? "organizer" : this.pick(["accepted", "tentativelyAccepted", "declined", "notResponded"]);
    const event: SeedEvent = {
      key: `${tag}-event-${n}-${Math.floor(this.random() * 1e9).toString(36)}`,
      subject: `${tag} meeting ${n}`,
      start: utc(start),
      end: utc(end),
      isOrganizer: organised,
      isCancelled: false,
      responseStatus: { response: response as never, time: new Date(now).toISOString() },
      organizer: organised ? this.member : contact,
      attendees: [
        { type: "required", status: { response: "accepted", time: new Date(now).toISOString() }, emailAddress: (organised ? contact : this.member).emailAddress },
        ...(this.chance(0.4) ? [{ type: "optional" as const, status: { response: "none" as const, time: new Date(now).toISOString() }, emailAddress: this.pick(this.contacts).emailAddress }] : []),
      ],
    };
    return { kind: "event-add", direct: (emu, oid) => void emu.graph.store.addEvent(oid, event), method: "POST", path: base, body: { event } };
  }
}

function utc(ms: number): { dateTime: string; timeZone: string } {
  return { dateTime: new Date(ms).toISOString().replace("Z", "").replace(/\.\d{3}$/, ".0000000"), timeZone: "UTC" };
}
