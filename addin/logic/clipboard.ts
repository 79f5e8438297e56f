/**
 * Copies text for the member to paste elsewhere (the admin-consent link, for an email to their admin).
 * navigator.clipboard needs a secure context and, in Outlook's iframe or webview, a permission it may not
 * have; the older select-and-execCommand("copy") still works there during the click, so it's the fallback.
 */

export interface ClipboardEnvironment {
  clipboard?: { writeText(text: string): Promise<void> } | null;
  document?: Document | null;
}

function browserEnvironment(): ClipboardEnvironment {
  return {
    clipboard: typeof navigator === "undefined" ? null : (navigator.clipboard ?? null),
    document: typeof document === "undefined" ? null : document,
  };
}

/** True when the text is on the clipboard. */
export async function copyText(text: string, env: ClipboardEnvironment = browserEnvironment()): Promise<boolean> {
  if (env.clipboard) {
    try {
      await env.clipboard.writeText(text);
      return true;
    } catch {
      // Not allowed here (permissions policy, unfocused document): try the fallback.
    }
  }
  const doc = env.document;
  if (!doc?.body) return false;
  const previousFocus = doc.activeElement as HTMLElement | null;
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  // Off-screen, so the pane doesn't jump or scroll.
  area.style.position = "fixed";
  area.style.top = "0";
  area.style.left = "-9999px";
  area.style.opacity = "0";
  doc.body.appendChild(area);
  try {
    area.select();
    return doc.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
    previousFocus?.focus?.();
  }
}
