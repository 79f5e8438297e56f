/**
 * Entry point of the report pages (customers, a customer's profile, Impact), served next to the
 * pane as /addin/pages.html and opened from it ("Open customer", "Impact"). Same configuration
 * and sign-in as the pane: config.json beside the page, MSAL (NAA inside Outlook, a popup in a
 * browser), a bearer token on every API call.
 */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { createPaneAuth } from "../auth/pane-auth";
import { BootProblem } from "../components/BootProblem";
import { loadConfig, paneUrls } from "../config";
import { supportsNestedAppAuth } from "../office/mailbox";
import { PagesApp, type PagesServices } from "./PagesApp";
import { createReportsApi } from "./reportsClient";

const container = document.getElementById("container");
const root = container ? createRoot(container) : null;

function render(node: ReactNode) {
  root?.render(<FluentProvider theme={webLightTheme}>{node}</FluentProvider>);
}

async function start() {
  const urls = paneUrls(window.location.href);
  let services: PagesServices;
  try {
    const config = await loadConfig(window.location.href);
    const auth = await createPaneAuth(config, { nested: supportsNestedAppAuth(), redirectUri: urls.redirect });
    services = { api: createReportsApi(config.apiBaseUrl ?? urls.apiBase, auth), signIn: () => auth.signIn() };
  } catch (error) {
    render(
      <BootProblem
        message={`This page couldn't load its settings from the Startdeliver server (${(error as Error).message}). Check your connection and reload; if it keeps happening, ask your admin.`}
      />,
    );
    return;
  }
  render(<PagesApp services={services} />);
}

// Inside Outlook (a dialog or a browser tab opened from the pane) wait for Office; elsewhere start at once.
if (typeof Office !== "undefined" && typeof Office.onReady === "function") {
  void Office.onReady(() => start());
} else {
  void start();
}
