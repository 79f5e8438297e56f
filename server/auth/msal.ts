/**
 * MSAL for Node, configured so it talks only to the configured authority host:
 *  - knownAuthorities = [authority host]: no instance discovery call to login.microsoftonline.com;
 *  - authorityMetadata = the discovery document we already fetched: no second metadata call;
 *  - one ConfidentialClientApplication per use, with a cache plugin bound to one member, because
 *    MSAL's cache is meant to be partitioned per user in a web app (and msal-node exposes no
 *    refresh tokens: the serialized cache, encrypted in the member's row, is how they are kept).
 */
import {
  ConfidentialClientApplication,
  LogLevel,
  type ICachePlugin,
  type TokenCacheContext,
} from "@azure/msal-node";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { AuthorityDiscovery } from "./discovery";
import type { ConnectionStore } from "./connection-store";

export class MsalFactory {
  constructor(
    private readonly config: Config,
    private readonly discovery: AuthorityDiscovery,
    private readonly log: Logger,
  ) {}

  async create(cachePlugin?: ICachePlugin): Promise<ConfidentialClientApplication> {
    const metadata = await this.discovery.get();
    const ms = this.config.microsoft;
    const log = this.log;
    return new ConfidentialClientApplication({
      auth: {
        clientId: ms.clientId,
        clientSecret: ms.clientSecret,
        authority: ms.authority,
        knownAuthorities: [new URL(ms.authorityHost).host],
        authorityMetadata: JSON.stringify(metadata),
      },
      cache: cachePlugin ? { cachePlugin } : undefined,
      system: {
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback(level, message) {
            if (level === LogLevel.Error) log.error({ msal: true }, message);
            else if (level === LogLevel.Warning) log.warn({ msal: true }, message);
          },
        },
      },
    });
  }
}

/** Loads and saves one member's MSAL cache through the encrypted connections row. */
export function memberCachePlugin(store: ConnectionStore, memberId: string): ICachePlugin {
  return {
    async beforeCacheAccess(ctx: TokenCacheContext) {
      const cache = store.readTokenCache(memberId);
      if (cache) ctx.tokenCache.deserialize(cache);
    },
    async afterCacheAccess(ctx: TokenCacheContext) {
      if (ctx.cacheHasChanged) store.writeTokenCache(memberId, ctx.tokenCache.serialize());
    },
  };
}
