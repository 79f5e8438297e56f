/**
 * The Graph data side of the emulator: mailbox store, the v1.0 mail/calendar router (delta
 * included) and the data control API. The pipeline mounts `router` at /v1.0 behind authentication,
 * throttling and $batch; the composer mounts `controlRouter` at /_emulator/graph.
 */
import type express from "express";
import type { GeneratedOrganisation } from "../generator/types";
import type { EmulatedUser } from "../state";
import { createControlRouter, loadOrganisation } from "./control";
import { defaultKnobs, type GraphKnobs } from "./knobs";
import { createDataRouter } from "./router";
import { MailboxStore } from "./store/mailbox-store";

export interface GraphDataOptions {
  /** e.g. https://localhost:4000 — or a function, for servers that learn their port after listen(). */
  baseUrl: string | (() => string);
  now?: () => number;
  /** Profile for /me when the user has no mailbox loaded (identity owns users). */
  lookupUser?: (oid: string) => EmulatedUser | undefined;
  /** Told about organisations loaded through POST /_emulator/graph/seed. */
  onOrganisation?: (org: GeneratedOrganisation) => void;
}

export interface GraphData {
  router: express.Router;
  controlRouter: express.Router;
  store: MailboxStore;
  knobs: GraphKnobs;
  /** Loads every team member's mailbox of a generated organisation. */
  loadOrganisation(org: GeneratedOrganisation): void;
}

export function createGraphData(opts: GraphDataOptions): GraphData {
  const now = opts.now ?? Date.now;
  const store = new MailboxStore(now);
  const knobs = defaultKnobs();
  return {
    router: createDataRouter({ store, knobs, baseUrl: opts.baseUrl, now, lookupUser: opts.lookupUser }),
    controlRouter: createControlRouter({ store, knobs, now, onOrganisation: opts.onOrganisation }),
    store,
    knobs,
    loadOrganisation: (org) => loadOrganisation(store, org),
  };
}

export { generateOrganisation, PRESETS, PRESET_NOW, userProfileFor, userProfiles } from "../generator/index";
export { MailboxStore } from "./store/mailbox-store";
export type { GroundTruth, GroundTruthMessage, GroundTruthOccurrence, MessageRef, EventRef, FolderRef } from "./store/mailbox-store";
export type { MailboxChange, ChangeListener } from "./store/types";
export type { GraphKnobs } from "./knobs";
export type { GraphLocals } from "./context";
export type { MailboxSeed, SeedEvent, SeedFolder, SeedMessage, SeedOccurrenceOverride, WellKnownFolderName } from "./seed-types";
