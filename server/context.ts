/**
 * Wires the server's parts together once: main.ts, tests and the sync all start from a
 * ServerContext, so there is one database handle, one vault, one event bus.
 */
import type { Config } from "./config";
import { openDatabase, type Db } from "./db/database";
import { ServerEvents } from "./events";
import { createLogger, type Logger } from "./logger";
import { Vault } from "./security/vault";
import { AuthorityDiscovery } from "./auth/discovery";
import { ConnectionStore } from "./auth/connection-store";
import { MsalFactory } from "./auth/msal";
import { GraphTokenProvider } from "./auth/graph-token";
import { ConnectFlow } from "./auth/connect-flow";
import { createPaneTokenValidator, type PaneTokenValidator } from "./auth/pane-token";
import { createAuthenticator, type Authenticator } from "./auth/middleware";
import { noSyncStatus, type SyncStatusProvider } from "./api/connection-status";

export interface ServerContext {
  config: Config;
  db: Db;
  log: Logger;
  vault: Vault;
  events: ServerEvents;
  discovery: AuthorityDiscovery;
  connections: ConnectionStore;
  msal: MsalFactory;
  /** For the sync: tokens.getGraphAccessToken(memberId). */
  tokens: GraphTokenProvider;
  connectFlow: ConnectFlow;
  authenticator: Authenticator;
  /** Replaced by the sync once it starts (ctx.syncStatus = …). */
  syncStatus: SyncStatusProvider;
}

export interface ContextOverrides {
  db?: Db;
  log?: Logger;
  /** Tests: validate pane tokens against a local key set instead of the authority's. */
  validatePaneToken?: PaneTokenValidator;
  syncStatus?: SyncStatusProvider;
}

export function createServerContext(config: Config, overrides: ContextOverrides = {}): ServerContext {
  const log = overrides.log ?? createLogger(config.logLevel);
  const db = overrides.db ?? openDatabase(config.databasePath);
  const vault = new Vault(config.tokenEncryption.key, config.tokenEncryption.oldKeys);
  const events = new ServerEvents(log);
  const ms = config.microsoft;
  const discovery = new AuthorityDiscovery(ms.authorityHost, ms.tenant);
  const connections = new ConnectionStore(db, vault);
  const msal = new MsalFactory(config, discovery, log);
  const tokens = new GraphTokenProvider(config, connections, msal, events, log);
  const connectFlow = new ConnectFlow({ db, config, vault, store: connections, msal, events, log });
  const requiredScope = ms.apiScope.slice(ms.apiScope.lastIndexOf("/") + 1);
  const validatePaneToken =
    overrides.validatePaneToken ??
    createPaneTokenValidator({
      authorityHost: ms.authorityHost,
      tenant: ms.tenant,
      audiences: ms.apiAudiences,
      requiredScope,
      keys: () => discovery.keySet(),
    });
  const authenticator = createAuthenticator(db, validatePaneToken);
  return {
    config,
    db,
    log,
    vault,
    events,
    discovery,
    connections,
    msal,
    tokens,
    connectFlow,
    authenticator,
    syncStatus: overrides.syncStatus ?? noSyncStatus,
  };
}
