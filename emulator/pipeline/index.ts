import { randomBytes } from "node:crypto";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "pino";
import { authStage, type TokenVerifier } from "./auth";
import { batchHandler, type SubDispatcher } from "./batch";
import { controlRouter } from "./control";
import { cors } from "./cors";
import { sendGraphError } from "./errors";
import { FaultInjector } from "./faults";
import { createHttpClient, type HttpClient } from "./http-client";
import { MailboxLimiter, type LimitsConfig } from "./limits";
import { Notifier, type NotifierConfig } from "./notifier";
import { INTERNAL_BATCH_HEADER, requestContext } from "./request-context";
import { accountingStage, faultStage, limitsStage } from "./stages";
import { PipelineStats } from "./stats";
import { SubscriptionService, type ChangeFeed } from "./subscriptions";

/**
 * The Graph request pipeline: everything under /v1.0 passes request ids → authentication and scopes
 * → accounting → Outlook mailbox limits → fault injection / latency → ($batch | subscriptions |
 * the Graph data router). See emulator/README.md for the behaviour and the control API.
 */
export interface PipelineOptions {
  verifyAccessToken: TokenVerifier;
  /** The Graph data router (reads res.locals.graph). */
  graphRouter: RequestHandler;
  /** Base URL of the emulated login.microsoftonline.com (for WWW-Authenticate). */
  authorityBaseUrl: string;
  /** Public Graph base, e.g. https://localhost:4000/v1.0 (Location headers, @odata.context). */
  graphBaseUrl: string;
  /** Where $batch sub-requests are sent back to: the emulator's own origin, known once it listens. */
  loopbackOrigin: () => string;
  /** PEM of the local CA, trusted for loopback and notification deliveries. */
  extraCa?: string;
  changeFeed?: ChangeFeed;
  resolveUser?: (principal: string, tenantId: string) => string | undefined;
  limits?: Partial<LimitsConfig>;
  notifier?: Partial<NotifierConfig>;
  latencyMs?: number;
  /** Sub-requests of one $batch dispatched at once (Graph: 4). */
  batchParallelism?: number;
  clock?: () => number;
  logger?: Logger;
}

export interface PipelineSettings extends LimitsConfig {
  latencyMs: number;
  batchParallelism: number;
}

export interface Pipeline {
  router: express.Router;
  controlRouter: express.Router;
  limiter: MailboxLimiter;
  stats: PipelineStats;
  faults: FaultInjector;
  notifier: Notifier;
  subscriptions: SubscriptionService;
  settings(): PipelineSettings;
  configure(patch: Partial<PipelineSettings>): PipelineSettings;
  attachChangeFeed(feed: ChangeFeed): void;
  close(): void;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const clock = options.clock ?? Date.now;
  const internalSecret = randomBytes(16).toString("hex");
  const limiter = new MailboxLimiter(options.limits, clock);
  const stats = new PipelineStats(clock);
  const faults = new FaultInjector();
  const outbound: HttpClient = createHttpClient({ extraCa: options.extraCa });
  const loopback: HttpClient = createHttpClient({ extraCa: options.extraCa, keepAlive: true });
  const notifier = new Notifier(outbound, options.notifier, clock, options.logger);
  const subscriptions = new SubscriptionService({
    notifier,
    graphBaseUrl: options.graphBaseUrl,
    clock,
    resolveUser: options.resolveUser,
  });
  if (options.changeFeed) subscriptions.attachFeed(options.changeFeed);
  let latencyMs = options.latencyMs ?? 0;
  let batchParallelism = options.batchParallelism ?? 4;

  const dispatch: SubDispatcher = (request, parent) =>
    loopback.request({
      url: options.loopbackOrigin().replace(/\/$/, "") + request.path,
      method: request.method,
      headers: {
        ...request.headers,
        authorization: parent.authorization,
        [INTERNAL_BATCH_HEADER]: `${internalSecret} ${parent.requestId} ${encodeURIComponent(parent.subRequestId)}`,
      },
      body: request.body,
    });

  const router = express.Router();
  router.use(requestContext({ internalSecret, clock }));
  router.use(cors);
  router.use(catching(authStage({ verify: options.verifyAccessToken, authorityBaseUrl: options.authorityBaseUrl, resolveUser: options.resolveUser })));
  router.use(accountingStage(stats));
  router.use(limitsStage(limiter, stats));
  router.use(
    catching(
      faultStage({
        faults,
        stats,
        authorityBaseUrl: options.authorityBaseUrl,
        graphBaseUrl: options.graphBaseUrl,
        latencyMs: () => latencyMs,
      }),
    ),
  );
  const batch = batchHandler({ dispatch, parallelism: () => batchParallelism });
  const batchJson = express.json({ limit: "4mb" });
  router.use((req, res, next) => {
    if (req.path !== "/$batch") return next();
    if (req.method !== "POST") {
      sendGraphError(res, 405, "Request_BadRequest", `The HTTP method '${req.method}' is not allowed for this resource.`);
      return;
    }
    batchJson(req, res, (err?: unknown) => {
      if (err) {
        sendGraphError(res, 400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
        return;
      }
      batch(req, res).catch(next);
    });
  });
  router.use("/subscriptions", subscriptions.router());
  router.use(options.graphRouter);
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const status = (err as { status?: number }).status;
    if (status === 400) {
      sendGraphError(res, 400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
      return;
    }
    sendGraphError(res, 500, "InternalServerError", String((err as Error)?.message ?? err));
  });

  const pipeline: Pipeline = {
    router,
    controlRouter: express.Router(),
    limiter,
    stats,
    faults,
    notifier,
    subscriptions,
    settings: () => ({ ...limiter.getConfig(), latencyMs, batchParallelism }),
    configure(patch) {
      const { latencyMs: l, batchParallelism: b, ...limits } = patch;
      if (l !== undefined) latencyMs = l;
      if (b !== undefined) batchParallelism = b;
      limiter.configure(limits);
      return pipeline.settings();
    },
    attachChangeFeed: (feed) => subscriptions.attachFeed(feed),
    close() {
      subscriptions.close();
      notifier.close();
      outbound.close();
      loopback.close();
    },
  };
  pipeline.controlRouter = controlRouter(pipeline);
  return pipeline;
}

/** Express 5 forwards rejected promises, but the stages answer errors themselves; keep it explicit. */
function catching(handler: (req: Request, res: Response, next: NextFunction) => unknown): RequestHandler {
  return (req, res, next) => {
    Promise.resolve(handler(req, res, next)).catch(next);
  };
}

export type { ChangeFeed, MailboxChange } from "./subscriptions";
export type { TokenVerifier, VerifiedToken, GraphLocals } from "./auth";
export type { LimitsConfig } from "./limits";
export type { FaultRule } from "./faults";
