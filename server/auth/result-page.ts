/**
 * The tiny page the connect flow ends on. In an Office dialog it hands the result to the pane
 * with Office.context.ui.messageParent; in a plain browser popup it posts to window.opener (same
 * origin only) and closes itself; otherwise it just shows the result in plain words.
 */
import type { ConnectResultMessage } from "./connect-flow";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function linkify(text: string): string {
  return escapeHtml(text).replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1" target="_blank" rel="noopener">$1</a>');
}

export interface ResultPage {
  html: string;
  /** Content-Security-Policy for this response (inline script allowed by nonce only). */
  csp: string;
}

export function renderResultPage(message: ConnectResultMessage, opts: { officeJsUrl: string; publicUrl: string; nonce: string }): ResultPage {
  const officeOrigin = new URL(opts.officeJsUrl).origin;
  const origin = new URL(opts.publicUrl).origin;
  const json = JSON.stringify(message).replace(/</g, "\\u003c");
  const title = message.ok ? "Connected" : message.state === "admin_consent_required" ? "Admin approval needed" : "Not connected";
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Startdeliver – ${escapeHtml(title)}</title>
<style nonce="${opts.nonce}">
  body { font-family: "Segoe UI", system-ui, sans-serif; margin: 2rem; color: #242424; line-height: 1.45; }
  h1 { font-size: 1.25rem; margin: 0 0 .75rem; }
  .ok h1 { color: #0e700e; } .fail h1 { color: #a4262c; }
  a { color: #0f6cbd; word-break: break-all; }
</style>
<script src="${escapeHtml(opts.officeJsUrl)}"></script>
</head>
<body class="${message.ok ? "ok" : "fail"}">
<main>
<h1>${escapeHtml(title)}</h1>
<p id="message">${linkify(message.message)}</p>
<p id="close-hint">You can close this window.</p>
</main>
<script type="application/json" id="result">${json}</script>
<script nonce="${opts.nonce}">
(function () {
  var msg = JSON.parse(document.getElementById("result").textContent);
  var origin = ${JSON.stringify(origin)};
  function viaOpener() {
    if (window.opener && !window.opener.closed) {
      try { window.opener.postMessage(msg, origin); } catch (e) {}
      if (msg.ok) setTimeout(function () { window.close(); }, 1200);
    }
  }
  if (window.Office && typeof Office.onReady === "function") {
    Office.onReady(function () {
      try { Office.context.ui.messageParent(JSON.stringify(msg)); } catch (e) { viaOpener(); }
    });
  } else {
    viaOpener();
  }
})();
</script>
</body>
</html>`;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${opts.nonce}' ${officeOrigin}`,
    `style-src 'nonce-${opts.nonce}'`,
    `connect-src ${officeOrigin}`,
    `frame-src ${officeOrigin}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return { html, csp };
}
