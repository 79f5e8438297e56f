/**
 * Everything the components need from the outside world, passed down explicitly so components can be
 * rendered in tests with stand-ins (and so Office.js stays inside addin/office/).
 */
import type { OpenMessage } from "../shared/api/contract";
import type { ApiClient } from "./api/client";
import type { DialogOutcome } from "./office/dialog";
import type { UserProfile } from "./office/mailbox";

export interface PaneServices {
  api: ApiClient;
  /** Interactive sign-in to the Startdeliver API (MSAL popup / Outlook prompt). */
  signIn(): Promise<void>;
  /** Opens the server's authentication URL (Office dialog or popup) and waits for its result. */
  openAuthDialog(url: string): Promise<DialogOutcome>;
  /** Opens a page in the user's browser (Startdeliver customer pages, the admin-consent link). */
  openUrl(url: string): void;
  mailbox: {
    read(): OpenMessage | null;
    /** Subscribes to selection changes; returns the unsubscribe function. */
    onChange(callback: (message: OpenMessage | null) => void): () => void;
    profile(): UserProfile | null;
  };
}
