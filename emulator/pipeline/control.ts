import express, { type Response } from "express";
import { z } from "zod";
import { faultRulesBodySchema } from "./faults";
import type { Pipeline } from "./index";
import { LIFECYCLE_EVENTS } from "./subscriptions";

/**
 * /_emulator/pipeline: the test and benchmark knobs of the Graph pipeline (limits, latency,
 * fault rules, statistics, subscriptions and notification deliveries). Not part of Graph.
 */
const settingsSchema = z
  .object({
    maxConcurrent: z.number().int().min(1),
    windowRequests: z.number().int().min(1),
    windowSeconds: z.number().positive(),
    concurrencyRetryAfterSeconds: z.number().int().min(0),
    latencyMs: z.number().int().min(0),
    batchParallelism: z.number().int().min(1).max(20),
  })
  .partial()
  .strict();

const notifierSchema = z
  .object({
    batchDelayMs: z.number().int().min(0),
    deliveryTimeoutMs: z.number().int().positive(),
    validationTimeoutMs: z.number().int().positive(),
    retryBaseMs: z.number().int().positive(),
    retryMaxDelayMs: z.number().int().positive(),
    retryForMs: z.number().int().min(0),
  })
  .partial()
  .strict();

const lifecycleSchema = z.object({ event: z.enum(LIFECYCLE_EVENTS), pauseDelivery: z.boolean().optional() });

export function controlRouter(pipeline: Pipeline): express.Router {
  const router = express.Router();
  router.use(express.json());

  router.get("/stats", (req, res) => {
    const oid = typeof req.query.oid === "string" ? req.query.oid : undefined;
    res.json(oid ? pipeline.stats.get(oid) : { mailboxes: pipeline.stats.all() });
  });
  router.post("/stats/reset", (_req, res) => {
    pipeline.stats.reset();
    pipeline.limiter.resetWindows();
    res.status(204).end();
  });

  router.get("/limits", (_req, res) => res.json(pipeline.settings()));
  router.post("/limits", (req, res) => {
    const parsed = settingsSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    res.json(pipeline.configure(parsed.data));
  });

  router.get("/faults", (_req, res) => res.json({ rules: pipeline.faults.list(), held: pipeline.faults.heldCount() }));
  router.post("/faults/release", (_req, res) => res.json({ released: pipeline.faults.release() }));
  router.post("/faults", (req, res) => {
    const parsed = faultRulesBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    res.json({ rules: pipeline.faults.set(parsed.data.rules, parsed.data.seed, parsed.data.append) });
  });
  router.delete("/faults", (_req, res) => {
    pipeline.faults.clear();
    res.status(204).end();
  });

  router.get("/subscriptions", (_req, res) => res.json({ subscriptions: pipeline.subscriptions.list() }));
  router.post("/subscriptions/:id/lifecycle", (req, res) => {
    const parsed = lifecycleSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    try {
      const sub = pipeline.subscriptions.sendLifecycle(req.params.id, parsed.data.event, { pauseDelivery: parsed.data.pauseDelivery });
      res.status(202).json({ subscription: sub });
    } catch (error) {
      res.status(404).json({ error: (error as Error).message });
    }
  });
  router.post("/subscriptions/:id/expire", (req, res) => {
    if (!pipeline.subscriptions.expire(req.params.id)) {
      res.status(404).json({ error: `subscription ${req.params.id} does not exist` });
      return;
    }
    res.status(204).end();
  });

  router.get("/notifications", (_req, res) => res.json({ deliveries: pipeline.notifier.deliveries() }));
  /** Resolves once nothing is queued, being sent or scheduled for a retry. */
  router.post("/notifications/flush", async (_req, res) => {
    await pipeline.notifier.whenIdle();
    res.json({ deliveries: pipeline.notifier.deliveries() });
  });
  router.get("/notifier", (_req, res) => res.json(pipeline.notifier.getConfig()));
  router.post("/notifier", (req, res) => {
    const parsed = notifierSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    res.json(pipeline.notifier.configure(parsed.data));
  });

  return router;
}

function badRequest(res: Response, error: z.ZodError): void {
  res.status(400).json({ error: "invalid request", issues: error.issues });
}
