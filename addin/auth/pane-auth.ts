/**
 * Signs the pane in to the Startdeliver server's API with MSAL.
 *
 * Inside Outlook, nested app authentication (NAA) lets Outlook broker the token for the signed-in mailbox
 * user: no extra sign-in in most cases. Elsewhere (a plain browser) the standard client is used, with a popup
 * that returns to auth-redirect.html (MSAL v5's redirect bridge). Silent first; a popup only when the user
 * clicks "Sign in", because browsers and Outlook block popups that weren't started by a click.
 */
import {
  InteractionRequiredAuthError,
  createNestablePublicClientApplication,
  createStandardPublicClientApplication,
  type AccountInfo,
  type Configuration,
  type IPublicClientApplication,
} from "@azure/msal-browser";
import type { RuntimeConfig } from "../config";
import { ApiProblem, type TokenSource } from "../api/client";

export interface PaneAuth extends TokenSource {
  /** Interactive sign-in (a popup, or Outlook's own prompt with NAA). Call only from a click. */
  signIn(): Promise<void>;
  /** Who is signed in, when known. */
  account(): AccountInfo | null;
  readonly nested: boolean;
}

export interface PaneAuthOptions {
  /** Outlook offers NestedAppAuth 1.1 (Office.context.requirements). */
  nested: boolean;
  /** Where the popup returns (same origin as the pane). */
  redirectUri: string;
}

function msalConfiguration(config: RuntimeConfig, redirectUri: string): Configuration {
  return {
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri: config.redirectUri ?? redirectUri,
    },
    cache: { cacheLocation: "localStorage" },
  };
}

/** Errors that mean "the user has to take part", as opposed to a network or configuration failure. */
function needsInteraction(error: unknown): boolean {
  if (error instanceof InteractionRequiredAuthError) return true;
  const code = (error as { errorCode?: string } | null)?.errorCode ?? "";
  return ["no_account_error", "no_tokens_found", "login_required", "consent_required", "interaction_required", "user_cancelled"].includes(code);
}

export async function createPaneAuth(config: RuntimeConfig, options: PaneAuthOptions): Promise<PaneAuth> {
  const configuration = msalConfiguration(config, options.redirectUri);
  const pca: IPublicClientApplication = options.nested
    ? await createNestablePublicClientApplication(configuration)
    : await createStandardPublicClientApplication(configuration);
  const scopes = [config.apiScope];

  if (!options.nested) {
    // A returning user: pick up the account from the cache.
    const cached = pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;
    if (cached) pca.setActiveAccount(cached);
  }

  const currentAccount = () => pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;

  return {
    nested: options.nested,
    account: currentAccount,
    async getToken({ forceRefresh = false } = {}) {
      const account = currentAccount();
      // With NAA, Outlook knows the account even when MSAL's cache doesn't.
      if (!account && !options.nested) throw new ApiProblem("sign_in", "Sign in to Startdeliver to continue.");
      try {
        const result = await pca.acquireTokenSilent({ scopes, account: account ?? undefined, forceRefresh });
        if (result.account) pca.setActiveAccount(result.account);
        return result.accessToken;
      } catch (error) {
        if (needsInteraction(error)) throw new ApiProblem("sign_in", "Sign in to Startdeliver to continue.");
        throw new ApiProblem("network", "Signing in to Startdeliver failed. Check your connection and try again.");
      }
    },
    async signIn() {
      try {
        const result = await pca.acquireTokenPopup({ scopes });
        pca.setActiveAccount(result.account);
      } catch (error) {
        const code = (error as { errorCode?: string } | null)?.errorCode ?? "";
        if (code === "user_cancelled") throw new ApiProblem("sign_in", "Sign-in was cancelled. Click Sign in to try again.");
        if (code === "popup_window_error" || code === "empty_window_error") {
          throw new ApiProblem("sign_in", "The sign-in window was blocked. Allow pop-ups for this page and try again.");
        }
        throw new ApiProblem("sign_in", "Sign-in didn't finish. Try again; if it keeps failing, ask your admin.");
      }
    },
  };
}
