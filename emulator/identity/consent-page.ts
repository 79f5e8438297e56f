import type { AppRegistration, EmulatedUser } from "../state";
import { describeError, type AadError, type ErrorMeta } from "./errors";
import { escapeHtml as h } from "./util";

/**
 * The emulator's sign-in pages. One page combines Entra's account picker and consent prompt.
 * Stable hooks for Playwright: buttons "Accept" (#idSIButton9) and "Cancel" (#idBtn_Back) as on the
 * real pages; accounts are radio buttons labelled "Display Name (upn)".
 */

const STYLE = `
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}
main{max-width:440px;margin:48px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.5rem;font-weight:600;margin:0 0 16px}
fieldset{border:0;padding:0;margin:0 0 16px}legend{font-weight:600;margin-bottom:8px}
.account{display:block;padding:8px;border:1px solid #ccc;margin-bottom:4px}
ul{padding-left:20px}.muted{color:#605e5c;font-size:.9rem}.error{color:#a80000}
.buttons{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}
button{min-width:108px;padding:6px 12px;font:inherit;border:1px solid #8a8886;background:#fff;cursor:pointer}
button.primary{background:#0067b8;color:#fff;border-color:#0067b8}
button:focus{outline:2px solid #000;outline-offset:2px}
code{word-break:break-all}`;

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${h(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

function accountPicker(users: EmulatedUser[], selectedOid: string | undefined, legend: string): string {
  const selected = selectedOid ?? users[0]?.oid;
  const items = users
    .map((u) => {
      const id = `account-${u.oid}`;
      return `<label class="account" for="${id}"><input type="radio" id="${id}" name="account" value="${h(u.oid)}"${u.oid === selected ? " checked" : ""} required> ${h(u.displayName)} (${h(u.userPrincipalName)})</label>`;
    })
    .join("");
  return `<fieldset><legend>${h(legend)}</legend>${items || '<p class="error">This directory has no users.</p>'}</fieldset>`;
}

function buttons(primary = "Accept", secondary = "Cancel"): string {
  return `<div class="buttons">
<button type="submit" name="action" value="cancel" id="idBtn_Back">${h(secondary)}</button>
<button type="submit" name="action" value="accept" id="idSIButton9" class="primary">${h(primary)}</button>
</div>`;
}

export interface SignInPageInput {
  actionUrl: string;
  ctx: string;
  app: AppRegistration;
  users: EmulatedUser[];
  selectedOid?: string;
  permissions: Array<{ scope: string; text: string }>;
}

export function signInPage(p: SignInPageInput): string {
  const perms = p.permissions.map((x) => `<li>${h(x.text)} <span class="muted">(${h(x.scope)})</span></li>`).join("");
  return layout(
    "Sign in to your account",
    `<h1>Permissions requested</h1>
<p><strong>${h(p.app.displayName)}</strong> <span class="muted">unverified</span></p>
<form method="post" action="${h(p.actionUrl)}">
<input type="hidden" name="ctx" value="${h(p.ctx)}">
${accountPicker(p.users, p.selectedOid, "Pick an account")}
<p id="permissions-heading">This app would like to:</p>
<ul aria-labelledby="permissions-heading">${perms}</ul>
<p class="muted">Accepting these permissions means that you allow this app to use your data as specified in their terms of service and privacy statement.</p>
${buttons()}
</form>`,
  );
}

/** What a user sees when the tenant does not let users consent (AADSTS90094). */
export function adminApprovalPage(p: { actionUrl: string; ctx: string; app: AppRegistration; user: EmulatedUser }): string {
  return layout(
    "Need admin approval",
    `<h1>Need admin approval</h1>
<p>${h(p.user.userPrincipalName)}</p>
<p><strong>${h(p.app.displayName)}</strong> needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
<form method="post" action="${h(p.actionUrl)}">
<input type="hidden" name="ctx" value="${h(p.ctx)}">
<div class="buttons"><button type="submit" name="action" value="return" id="idBtn_Back">Return to the application without granting consent</button></div>
</form>`,
  );
}

export function adminConsentPage(p: SignInPageInput & { tenantLabel: string }): string {
  const perms = p.permissions.map((x) => `<li>${h(x.text)} <span class="muted">(${h(x.scope)})</span></li>`).join("");
  return layout(
    "Permissions requested - Accept for your organization",
    `<h1>Permissions requested</h1>
<p><strong>${h(p.app.displayName)}</strong> <span class="muted">unverified</span></p>
<p>Accept for your organization: <strong>${h(p.tenantLabel)}</strong></p>
<form method="post" action="${h(p.actionUrl)}">
<input type="hidden" name="ctx" value="${h(p.ctx)}">
${accountPicker(p.users, p.selectedOid, "Sign in as an administrator")}
<p id="permissions-heading">This app would like to:</p>
<ul aria-labelledby="permissions-heading">${perms || "<li>Sign in and read the permissions configured for the app</li>"}</ul>
<p class="muted">If you accept, this app will get access to the specified resources for all users in your organization. No one else will be prompted to review these permissions.</p>
${buttons()}
</form>`,
  );
}

/** Errors that cannot be sent to the app (unknown client, bad redirect URI, unknown tenant). */
export function errorPage(err: AadError, meta: ErrorMeta): string {
  const [message, ...trace] = describeError(err, meta).split("\r\n");
  return layout(
    "Sign in to your account",
    `<h1>Sign in</h1>
<p>Sorry, but we're having trouble signing you in.</p>
<p class="error" role="alert"><code>${h(message ?? "")}</code></p>
<p class="muted">${trace.map((t) => h(t)).join("<br>")}</p>`,
  );
}

/** response_mode=form_post: the browser posts the result to the redirect URI. */
export function formPostPage(redirectUri: string, params: Record<string, string>): string {
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join("");
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Working...</title></head>
<body><form method="POST" name="hiddenform" action="${h(redirectUri)}">${inputs}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript></form>
<script>document.forms[0].submit();</script></body></html>`;
}

export function signedOutPage(): string {
  return layout("Sign out", `<h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p>`);
}

export function errorLookupPage(code: string): string {
  return layout(`Error ${code}`, `<h1>AADSTS${h(code)}</h1><p>See the Microsoft Entra error code reference for AADSTS${h(code)}.</p>`);
}
