/**
 * The data control API (mounted at /_emulator/graph): lets tests and the demo change mailboxes the
 * way users and Exchange would — new mail, reads, moves, deletions, calendar edits, cancelled and
 * deleted occurrences, new folders, evicted delta tokens — and read back the ground truth.
 * Documented in emulator/graph/README.md.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { generateOrganisation, PRESETS, type PresetName, userProfileFor } from "../generator/index";
import type { GeneratedOrganisation, GeneratorOptions } from "../generator/types";
import { GraphError } from "./errors";
import type { GraphKnobs } from "./knobs";
import type { SeedEvent, SeedMessage } from "./seed-types";
import type { MailboxStore } from "./store/mailbox-store";

export interface ControlDeps {
  store: MailboxStore;
  knobs: GraphKnobs;
  now: () => number;
  /** Called after POST /seed loaded an organisation (the composer registers its users/tenant). */
  onOrganisation?: (org: GeneratedOrganisation) => void;
}

const objectBody = z.record(z.string(), z.unknown());
const addMessageBody = z.object({ folder: z.string().default("inbox"), message: objectBody });
const moveBody = z.object({ folder: z.string().min(1) });
const folderBody = z.object({ displayName: z.string().min(1), parent: z.string().optional(), key: z.string().optional() });
const addEventBody = z.object({ event: objectBody });
const expireBody = z.object({ oid: z.string().optional(), folder: z.string().optional() });
const seedBody = z.object({
  seed: z.string().optional(),
  preset: z.enum(Object.keys(PRESETS) as [PresetName, ...PresetName[]]).optional(),
  sizes: z
    .object({
      messagesPerMailbox: z.number().int().min(1).max(200_000),
      eventsPerMailbox: z.number().int().min(0).max(20_000),
      teamMembers: z.number().int().min(1).max(50),
      customers: z.number().int().min(2).max(5_000),
      contactsPerCustomer: z.number().int().min(1).max(50),
    })
    .partial()
    .optional(),
  now: z.string().datetime().optional(),
  replace: z.boolean().default(true),
});
const knobsBody = z
  .object({
    defaultPageSize: z.number().int().min(1).max(1000),
    maxPageSize: z.number().int().min(1).max(100_000),
    filteredDeltaCap: z.number().int().min(1),
    replayProbability: z.number().min(0).max(1),
    emptyPageProbability: z.number().min(0).max(1),
    firstRoundRemovals: z.number().int().min(0).max(1000),
    deltaTokenLifetimeSeconds: z.number().int().min(0),
    mailSyncStateCode: z.string().min(1),
    calendarSyncStateCode: z.string().min(1),
  })
  .partial();

function originalStartOf(req: Request): string | undefined {
  const fromQuery = typeof req.query.originalStart === "string" ? req.query.originalStart : undefined;
  const body = req.body as { originalStart?: unknown } | undefined;
  return fromQuery ?? (typeof body?.originalStart === "string" ? body.originalStart : undefined);
}

/** Generates an organisation and loads every member's mailbox into the store. */
export function loadOrganisation(store: MailboxStore, org: GeneratedOrganisation): void {
  for (const member of org.teamMembers) store.loadSeed(member.oid, org.mailboxes[member.oid]!, userProfileFor(org, member));
}

export function directoryOf(org: GeneratedOrganisation) {
  const { mailboxes, ...directory } = org;
  return {
    ...directory,
    mailboxes: Object.fromEntries(Object.entries(mailboxes).map(([oid, m]) => [oid, { messages: m.messages.length, events: m.events.length }])),
  };
}

export function createControlRouter(deps: ControlDeps): express.Router {
  const { store, knobs } = deps;
  const router = express.Router();
  router.use(express.json({ limit: "20mb" }));
  const wrap = (fn: (req: Request, res: Response) => unknown) => (req: Request, res: Response, next: NextFunction) => {
    try {
      const result = fn(req, res);
      if (!res.headersSent) {
        if (result === undefined) res.status(204).end();
        else res.json(result);
      }
    } catch (err) {
      next(err);
    }
  };
  const oid = (req: Request) => String(req.params.oid);
  const id = (req: Request) => String(req.params.id);

  router.get("/mailboxes", wrap(() =>
    store.oids().map((o) => {
      const mb = store.mailbox(o)!;
      return {
        oid: o,
        userPrincipalName: mb.user.userPrincipalName,
        messages: mb.messagesByOrdinal.size,
        events: mb.calendar.events.filter((e) => !e.deleted).length,
      };
    }),
  ));

  router.post("/mailboxes/:oid/messages", wrap((req, res) => {
    const body = addMessageBody.parse(req.body);
    res.status(201);
    return store.addMessage(oid(req), body.folder, body.message as Omit<SeedMessage, "folderKey">);
  }));
  router.patch("/mailboxes/:oid/messages/:id", wrap((req) => store.updateMessage(oid(req), id(req), objectBody.parse(req.body) as Partial<SeedMessage>)));
  router.post("/mailboxes/:oid/messages/:id/move", wrap((req) => store.moveMessage(oid(req), id(req), moveBody.parse(req.body).folder)));
  router.delete("/mailboxes/:oid/messages/:id", wrap((req) => {
    store.deleteMessage(oid(req), id(req));
  }));

  router.get("/mailboxes/:oid/folders", wrap((req) => store.folders(oid(req))));
  router.post("/mailboxes/:oid/folders", wrap((req, res) => {
    res.status(201);
    return store.addFolder(oid(req), folderBody.parse(req.body));
  }));

  router.post("/mailboxes/:oid/events", wrap((req, res) => {
    const body = addEventBody.parse(req.body);
    const event = body.event as Partial<SeedEvent>;
    res.status(201);
    return store.addEvent(oid(req), { key: event.key ?? `control-${deps.now()}`, ...event } as SeedEvent);
  }));
  router.patch("/mailboxes/:oid/events/:id", wrap((req) => {
    const patch = { ...objectBody.parse(req.body) };
    delete patch.originalStart;
    return store.updateEvent(oid(req), id(req), patch, originalStartOf(req));
  }));
  router.post("/mailboxes/:oid/events/:id/cancel", wrap((req) => store.cancelEvent(oid(req), id(req), originalStartOf(req))));
  router.delete("/mailboxes/:oid/events/:id", wrap((req) => {
    store.deleteEvent(oid(req), id(req), originalStartOf(req));
  }));

  router.post("/delta/expire", wrap((req) => ({ expired: store.expireDeltaTokens(expireBody.parse(req.body ?? {})) })));

  router.get("/mailboxes/:oid/ground-truth", wrap((req) => {
    const start = typeof req.query.start === "string" ? Date.parse(req.query.start) : NaN;
    const end = typeof req.query.end === "string" ? Date.parse(req.query.end) : NaN;
    return store.groundTruth(oid(req), Number.isNaN(start) || Number.isNaN(end) ? undefined : { fromMs: start, toMs: end });
  }));

  router.post("/seed", wrap((req, res) => {
    const body = seedBody.parse(req.body ?? {});
    const preset = PRESETS[body.preset ?? "demo"];
    const options: GeneratorOptions = {
      ...preset,
      ...(body.sizes ?? {}),
      seed: body.seed ?? preset.seed,
      now: body.now ? new Date(body.now) : new Date(deps.now()),
    };
    const org = generateOrganisation(options);
    if (body.replace) store.clear();
    loadOrganisation(store, org);
    deps.onOrganisation?.(org);
    res.status(201);
    return directoryOf(org);
  }));

  router.get("/knobs", wrap(() => knobs));
  router.put("/knobs", wrap((req) => {
    Object.assign(knobs, knobsBody.parse(req.body));
    return knobs;
  }));

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof GraphError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message } });
    } else if (err instanceof z.ZodError) {
      res.status(400).json({ error: { code: "BadRequest", message: err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") } });
    } else {
      res.status(500).json({ error: { code: "InternalError", message: err instanceof Error ? err.message : String(err) } });
    }
  });
  return router;
}
