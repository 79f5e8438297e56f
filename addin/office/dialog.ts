/**
 * Opens the server's single-use authentication URL and waits for the result. In Outlook this is the Office
 * dialog (displayDialogAsync, Mailbox/DialogApi 1.1): the first page must be https on the pane's own domain,
 * and the last page reports back with Office.context.ui.messageParent. Outside Office (a plain browser, the
 * server's own pages) it falls back to a popup window that reports back with window.opener.postMessage.
 *
 * The last page (server/auth/result-page.ts) reports the contract's ConnectResultMessage, as a JSON string
 * through messageParent or as an object through postMessage. A simpler
 * {"status":"connected"|"admin_consent_required"|"error","message"?} or a plain "connected" is understood too.
 */
import type { ConnectResultMessage } from "../../shared/api/contract";

export type AuthDialogStatus = "connected" | "admin_consent_required" | "error";

export type DialogOutcome =
  | {
      kind: "message";
      status: AuthDialogStatus;
      message?: string;
      /** From a ConnectResultMessage: the connected mailbox, and the link an admin must open. */
      accountAddress?: string;
      adminConsentUrl?: string;
    }
  | { kind: "closed" }
  | { kind: "failed"; code: number | null; message: string };

/** Office dialog error codes in plain words (learn.microsoft.com: "Use the Office dialog API", error codes). */
export function describeDialogError(code: number | null): string {
  switch (code) {
    case 12002:
      return "The sign-in page couldn't be loaded. Check your connection and try again.";
    case 12003:
      return "The sign-in page tried to use an insecure (http) address. Ask your admin to check the Startdeliver server address.";
    case 12004:
      return "The sign-in page's address isn't one this add-in is allowed to open. Ask your admin to check the add-in's manifest (AppDomains).";
    case 12005:
      return "The sign-in page must use a secure (https) address. Ask your admin to check the Startdeliver server address.";
    case 12006:
      return "The sign-in window was closed before it finished. Click to start authentication again when you're ready.";
    case 12007:
      return "A sign-in window is already open. Finish or close it, then try again.";
    case 12009:
      return "The sign-in window was blocked. Allow it when Outlook asks, then try again.";
    case 12011:
      return "Your browser blocked the sign-in window. Allow pop-ups for Outlook, then try again.";
    default:
      return "The sign-in window couldn't be opened. Try again; if it keeps failing, restart Outlook.";
  }
}

/** Reads the last page's message; anything unexpected counts as an error with the text shown as-is. */
export function parseDialogMessage(raw: unknown): DialogOutcome {
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  if (value && typeof value === "object") {
    // Read defensively: the shape comes from another page, and older servers sent less.
    const v = value as { [K in keyof ConnectResultMessage]?: unknown } & { status?: unknown };
    const message = typeof v.message === "string" && v.message ? v.message : undefined;
    if (typeof v.ok === "boolean") {
      const status: AuthDialogStatus = v.ok ? "connected" : v.state === "admin_consent_required" ? "admin_consent_required" : "error";
      const outcome: DialogOutcome = { kind: "message", status, message };
      if (typeof v.accountAddress === "string" && v.accountAddress) outcome.accountAddress = v.accountAddress;
      if (typeof v.adminConsentUrl === "string" && v.adminConsentUrl) outcome.adminConsentUrl = v.adminConsentUrl;
      return outcome;
    }
    if (v.status === "connected" || v.status === "admin_consent_required" || v.status === "error") {
      return { kind: "message", status: v.status, message };
    }
  }
  const text = typeof raw === "string" ? raw : JSON.stringify(raw) ?? "";
  const word = text.trim().toLowerCase();
  if (word === "connected" || word === "success" || word === "ok") return { kind: "message", status: "connected" };
  return { kind: "message", status: "error", message: text.slice(0, 300) };
}

function hasOfficeDialog(): boolean {
  return typeof Office !== "undefined" && typeof Office.context?.ui?.displayDialogAsync === "function";
}

export function openAuthDialog(url: string): Promise<DialogOutcome> {
  return hasOfficeDialog() ? openOfficeDialog(url) : openPopup(url);
}

function openOfficeDialog(url: string): Promise<DialogOutcome> {
  return new Promise((resolve) => {
    Office.context.ui.displayDialogAsync(url, { height: 70, width: 40, promptBeforeOpen: false }, (result) => {
      if (result.status !== Office.AsyncResultStatus.Succeeded) {
        const code = typeof result.error?.code === "number" ? result.error.code : null;
        resolve({ kind: "failed", code, message: describeDialogError(code) });
        return;
      }
      const dialog = result.value;
      let settled = false;
      const finish = (outcome: DialogOutcome) => {
        if (settled) return;
        settled = true;
        try {
          dialog.close();
        } catch {
          // Already closed by the user.
        }
        resolve(outcome);
      };
      dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
        if ("message" in arg) finish(parseDialogMessage(arg.message));
      });
      dialog.addEventHandler(Office.EventType.DialogEventReceived, (arg) => {
        const code = "error" in arg ? arg.error : null;
        if (code === 12006) finish({ kind: "closed" });
        else finish({ kind: "failed", code, message: describeDialogError(code) });
      });
    });
  });
}

function openPopup(url: string): Promise<DialogOutcome> {
  return new Promise((resolve) => {
    const popup = window.open(url, "startdeliver-auth", "popup,width=520,height=680");
    if (!popup) {
      resolve({ kind: "failed", code: 12011, message: describeDialogError(12011) });
      return;
    }
    const expectedOrigin = new URL(url, window.location.href).origin;
    let settled = false;
    const finish = (outcome: DialogOutcome) => {
      if (settled) return;
      settled = true;
      window.removeEventListener("message", onMessage);
      window.clearInterval(watch);
      try {
        popup.close();
      } catch {
        // Cross-origin or already closed.
      }
      resolve(outcome);
    };
    const onMessage = (event: MessageEvent) => {
      // Only the server's own last page may report a result.
      if (event.origin !== expectedOrigin || event.source !== popup) return;
      finish(parseDialogMessage(event.data));
    };
    window.addEventListener("message", onMessage);
    // The user can close the popup at any time; there is no event for that, so check now and then.
    const watch = window.setInterval(() => {
      if (popup.closed) finish({ kind: "closed" });
    }, 500);
  });
}
