/**
 * Exchange-style identifiers. Real REST ids are long URL-safe base64 strings ('/'→'-', '+'→'_',
 * '=' padding kept) whose shape clients end up depending on (column sizes, URL encoding), so the
 * emulator produces ids of the same look and length. Every id is a pure function of the mailbox
 * and an ordinal, which keeps generated organisations reproducible.
 */
import { createHash } from "node:crypto";

export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3 finaliser: spreads the bits of a small integer over 32 bits. */
export function mix32(n: number): number {
  let h = n >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function graphBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/\//g, "-").replace(/\+/g, "_");
}

const ITEM_BYTES = 29; // ≡ 2 (mod 3) with two trailing zero bytes, so ids end in "AAA=" like Exchange's.

/** Per-mailbox id maker; prefixes are base64 of a 45-byte block so they concatenate cleanly. */
export class IdFactory {
  private readonly restPrefix: string;
  private readonly immutablePrefix: string;
  private readonly folderPrefix: string;
  private readonly userFolderPrefix: string;
  private readonly convPrefix: string;
  private readonly mailboxHash: Buffer;

  constructor(readonly oid: string) {
    this.mailboxHash = createHash("sha256").update(`mailbox:${oid}`).digest();
    this.restPrefix = this.block("AAMkA", 0x03, 0x24);
    this.immutablePrefix = this.block("AAkALg", 0x2e, 0x00);
    this.folderPrefix = this.block("AQMkA", 0x01, 0x2e);
    this.userFolderPrefix = this.block("AAMkA", 0x01, 0x2e);
    this.convPrefix = this.block("AAQkA", 0x10, 0x00);
  }

  /** Exactly 60 characters: the literal Exchange-looking start, then base64 of mailbox bytes. */
  private block(literal: string, a: number, b: number): string {
    const bytes = Buffer.alloc(45);
    bytes[0] = a;
    bytes[1] = b;
    this.mailboxHash.copy(bytes, 2, 0, 32);
    for (let i = 34; i < 45; i++) bytes[i] = this.mailboxHash[i - 34]! ^ a;
    return literal + graphBase64(bytes).slice(literal.length);
  }

  /** The item ordinal a message/event id of this mailbox names (either id kind), or undefined. */
  ordinalOf(id: string): number | undefined {
    if (id.length !== 100) return undefined;
    const head = id.slice(0, 60);
    if (head !== this.restPrefix && head !== this.immutablePrefix) return undefined;
    const bytes = Buffer.from(id.slice(60).replace(/-/g, "/").replace(/_/g, "+"), "base64");
    if (bytes.length !== ITEM_BYTES || bytes[0] !== 0x46) return undefined;
    return bytes.readUInt32BE(18);
  }

  private item(kind: number, ordinal: number, gen: number, extra = 0): string {
    const b = new Uint8Array(ITEM_BYTES);
    const view = new DataView(b.buffer);
    b[0] = 0x46;
    b[1] = kind;
    let h = mix32(ordinal ^ (gen << 20) ^ (kind << 28) ^ extra);
    for (let i = 2; i < 18; i += 4) {
      view.setUint32(i, h);
      h = mix32(h + 0x9e3779b9);
    }
    view.setUint32(18, ordinal);
    view.setUint16(22, gen);
    view.setUint32(24, extra >>> 0);
    b[27] = 0;
    b[28] = 0;
    return graphBase64(b);
  }

  messageRestId(ordinal: number, moveGeneration: number): string {
    return this.restPrefix + this.item(0x07, ordinal, moveGeneration);
  }

  messageImmutableId(ordinal: number): string {
    return this.immutablePrefix + this.item(0x07, ordinal, 0);
  }

  eventRestId(ordinal: number): string {
    return this.restPrefix + this.item(0x0e, ordinal, 0);
  }

  eventImmutableId(ordinal: number): string {
    return this.immutablePrefix + this.item(0x0e, ordinal, 0);
  }

  /** Occurrence ids extend the master's id with the occurrence date, as Exchange's do. */
  occurrenceId(masterId: string, originalStartMs: number): string {
    const minutes = Math.floor(originalStartMs / 60000);
    const tail = new Uint8Array(14);
    const view = new DataView(tail.buffer);
    tail[2] = 0x10;
    view.setUint32(3, Math.floor(minutes / 0x100000000));
    view.setUint32(7, minutes >>> 0);
    // The master's id ends "AAA=" (two zero bytes); replace that group with the date-bearing tail.
    return masterId.slice(0, -4) + graphBase64(tail);
  }

  folderId(ordinal: number, wellKnown: boolean): string {
    return (wellKnown ? this.folderPrefix : this.userFolderPrefix) + this.item(0x01, ordinal, 0);
  }

  changeKey(ordinal: number, version: number): string {
    const b = Buffer.alloc(30);
    b.writeUInt32BE(0x09000000, 0);
    b.writeUInt32BE(0x16000000, 4);
    this.mailboxHash.copy(b, 8, 0, 16);
    b.writeUInt32BE(mix32(ordinal * 131 + version), 24);
    b.writeUInt16BE(version & 0xffff, 28);
    return b.toString("base64");
  }

  conversationId(threadKey: string): string {
    const h1 = fnv1a(threadKey);
    return this.convPrefix + this.item(0x10, h1, 0, fnv1a(threadKey, h1));
  }
}

/** Outlook's iCalUId: a fixed 040000008200E00074C5B7101A82E008 header and a per-meeting GUID-ish tail. */
export function iCalUIdFor(key: string, originalStartMs?: number): string {
  const date = originalStartMs === undefined ? "00000000" : dateHex(originalStartMs);
  const a = fnv1a(key).toString(16).padStart(8, "0");
  const b = fnv1a(key, 0x1234567).toString(16).padStart(8, "0");
  const c = mix32(fnv1a(key, 0x7654321)).toString(16).padStart(8, "0");
  const d = mix32(fnv1a(key) ^ 0xdeadbeef).toString(16).padStart(8, "0");
  return `040000008200E00074C5B7101A82E008${date}000000000000000000000000100000${(a + b + c + d).toUpperCase()}`;
}

function dateHex(ms: number): string {
  const d = new Date(ms);
  const yy = d.getUTCFullYear();
  return ((yy >> 8) & 0xff).toString(16).padStart(2, "0") + (yy & 0xff).toString(16).padStart(2, "0") +
    (d.getUTCMonth() + 1).toString(16).padStart(2, "0") + d.getUTCDate().toString(16).padStart(2, "0");
}
