/**
 * auth-redirect.html: where MSAL's sign-in popup lands. MSAL v5 hands the response back to the pane through
 * this bridge page (it must be served without a Cross-Origin-Opener-Policy header).
 */
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

broadcastResponseToMainFrame().catch(() => {
  const status = document.getElementById("status");
  if (status) status.textContent = "Sign-in couldn't be completed. Close this window and try again.";
});
