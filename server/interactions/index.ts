/**
 * The interactions engine wired into the server.
 *
 *   const interactions = createServerInteractions(ctx);
 *   const sync = createServerSync(ctx, { listener: interactions.listener });
 *   interactions.useSync({ details: sync.details, driver: sync.engine.driver });
 *   app.use(interactions.routes);
 *   interactions.start();
 *
 * The address keys are read from the same table the sync keys facts with (sync_address_keys), so
 * the engine can be built before the sync.
 */
import type { Router } from "express";
import type { ServerContext } from "../context";
import { createAddressKeyStore } from "../sync/address-keys";
import type { FactListener, ItemDetailsFetcher } from "../sync/facts";
import { InteractionsEngine } from "./engine";
import { graphMessageLookup, type GraphGetter, type MessageLookup } from "./graph-lookup";
import { InteractionReads } from "./read";
import { interactionsRoutes } from "./routes";
import { WhyService } from "./why";

export { InteractionsEngine, type InteractionsEngineOptions, type RedecideResult } from "./engine";
export { InteractionReads, toSummary, LOADING_SUBJECT, NO_SUBJECT, type CustomerSummary, type InteractionRow } from "./read";
export { WhyService, WhyNotFoundError, type WhyConnection } from "./why";
export { previewMessage } from "./preview";
export { graphMessageLookup, type MessageLookup, type GraphGetter } from "./graph-lookup";
export { interactionId, type InteractionParticipant } from "./materialise";

export interface InteractionsService {
  engine: InteractionsEngine;
  reads: InteractionReads;
  why: WhyService;
}

export interface ServerInteractions extends InteractionsService {
  /** Hand to createServerSync({ listener }). */
  listener: FactListener;
  routes: Router;
  /** Connects the sync's by-id fetchers (details of newly matched items; messages for "why"). */
  useSync(sync: { details: ItemDetailsFetcher; driver?: GraphGetter; lookup?: MessageLookup }): void;
  start(): void;
  stop(): void;
}

export interface ServerInteractionsOptions {
  /** Link to a customer's page, offered with "add as a user" fixes. */
  customerUrl?: (customerId: string) => string | null;
}

export function createServerInteractions(ctx: ServerContext, options: ServerInteractionsOptions = {}): ServerInteractions {
  const keys = createAddressKeyStore(ctx.db, ctx.vault);
  const engine = new InteractionsEngine({
    db: ctx.db,
    keyerFor: (orgId) => keys.forOrganisation(orgId),
    log: ctx.log,
    historyMonths: ctx.config.sync.historyMonths,
  });
  const detach = engine.attach(ctx.events);
  const reads = new InteractionReads(ctx.db);
  let fetcher: ItemDetailsFetcher | null = null;
  let lookup: MessageLookup | null = null;
  const why = new WhyService({
    db: ctx.db,
    engine,
    reads,
    fetcher: () => fetcher,
    lookup: () => lookup,
    now: () => new Date(),
    customerUrl: options.customerUrl,
  });
  const service: InteractionsService = { engine, reads, why };
  return {
    ...service,
    listener: engine,
    routes: interactionsRoutes(ctx, service),
    useSync(sync) {
      fetcher = sync.details;
      lookup = sync.lookup ?? (sync.driver ? graphMessageLookup(sync.driver) : null);
      engine.setDetailsFetcher(sync.details);
    },
    start: () => engine.start(),
    stop() {
      detach();
      engine.close();
    },
  };
}
