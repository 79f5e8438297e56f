/**
 * The task pane's entry point, modelled on Office-Addin-TaskPane-React: wait for Office.onReady, then render
 * the app inside FluentProvider. Outside Office (office.js missing) it starts anyway, as a plain web page.
 */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { createApiClient } from "./api/client";
import { createPaneAuth } from "./auth/pane-auth";
import { BootProblem } from "./components/BootProblem";
import { App } from "./components/App";
import { loadConfig, paneUrls } from "./config";
import { openAuthDialog } from "./office/dialog";
import { onItemChanged, readOpenMessage, readUserProfile, supportsNestedAppAuth } from "./office/mailbox";
import type { PaneServices } from "./services";

const container = document.getElementById("container");
const root = container ? createRoot(container) : null;

function render(node: ReactNode) {
  root?.render(<FluentProvider theme={webLightTheme}>{node}</FluentProvider>);
}

async function start() {
  const urls = paneUrls(window.location.href);
  let services: PaneServices;
  try {
    const config = await loadConfig(window.location.href);
    const auth = await createPaneAuth(config, { nested: supportsNestedAppAuth(), redirectUri: urls.redirect });
    services = {
      api: createApiClient(config.apiBaseUrl ?? urls.apiBase, auth),
      signIn: () => auth.signIn(),
      openAuthDialog,
      openUrl: (url) => {
        window.open(url, "_blank", "noopener,noreferrer");
      },
      mailbox: { read: readOpenMessage, onChange: onItemChanged, profile: readUserProfile },
    };
  } catch (error) {
    render(
      <BootProblem
        message={`The add-in couldn't load its settings from the Startdeliver server (${(error as Error).message}). Check your connection and reopen the pane; if it keeps happening, ask your admin.`}
      />,
    );
    return;
  }
  render(<App services={services} />);
}

if (typeof Office !== "undefined" && typeof Office.onReady === "function") {
  void Office.onReady(() => start());
} else {
  void start();
}
