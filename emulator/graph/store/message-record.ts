/**
 * One message in one mailbox. Ids and the change key are derived from the ordinal on first use
 * (loading 100,000 messages must not pay for 300,000 base64 strings nobody asked for yet); a move
 * bumps the generation, which is what gives the message a new REST id.
 */
import type { InternetMessageHeader } from "@microsoft/microsoft-graph-types";
import type { IdFactory } from "../ids";
import type { FolderState, StoredMessage } from "./types";

export interface PastId {
  folderOrdinal: number;
  restId: string;
  seq: number;
}

export class MessageRecord {
  private rest: string | undefined;
  private immutable: string | undefined;
  private key: string | undefined;
  moveGeneration = 0;
  version = 1;
  /** REST ids the message had in folders it has left, for @removed when it comes back. */
  pastIds: PastId[] | undefined;
  /** One pre-serialised rendering (key = select mask, id kind, delta flag); pages reuse it. */
  cacheKey: number | undefined;
  cacheJson: Buffer | undefined;

  constructor(
    private readonly ids: IdFactory,
    /** Mailbox-unique item number; ids are derived from it. */
    readonly ordinal: number,
    /** Undefined once the message is permanently deleted. */
    public folder: FolderState | undefined,
    public receivedMs: number,
    public createdDateTime: string,
    public lastModifiedDateTime: string,
    /** Sequence number at which the message entered its current folder (created vs updated in delta). */
    public arrivedSeq: number,
    public lastSeq: number,
    public data: StoredMessage,
    public headers: InternetMessageHeader[] | undefined,
  ) {}

  /** The regular id; it changes every time the message moves to another folder. */
  get restId(): string {
    return (this.rest ??= this.ids.messageRestId(this.ordinal, this.moveGeneration));
  }

  get immutableId(): string {
    return (this.immutable ??= this.ids.messageImmutableId(this.ordinal));
  }

  get changeKey(): string {
    return (this.key ??= this.ids.changeKey(this.ordinal, this.version));
  }

  bumpVersion(): void {
    this.version++;
    this.key = undefined;
    this.cacheKey = undefined;
    this.cacheJson = undefined;
  }

  moved(): void {
    this.moveGeneration++;
    this.rest = undefined;
  }
}
