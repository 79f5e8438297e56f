import { randomUUID } from "node:crypto";
import express, { type Request, type Response } from "express";
import { sendGraphError } from "./errors";
import type { Notifier } from "./notifier";
import { getContext } from "./request-context";
import { hasAnyScope, subscriptionScopes } from "./scopes";

/**
 * /v1.0/subscriptions for Outlook resources (messages, optionally per folder, and events) and the
 * change and lifecycle notifications they produce. Creation validates like Graph (changeType,
 * resource, lifetime ≤ 10,080 minutes for Outlook or 1,440 with resource data, clientState ≤ 128
 * characters, HTTPS notification URLs) and runs the validation handshake on notificationUrl and
 * lifecycleNotificationUrl before answering 201.
 */

/** What the data store reports; the server adapts the Graph store's change events to this. */
export interface MailboxChange {
  oid: string;
  kind: "message" | "event";
  changeType: "created" | "updated" | "deleted";
  id: string;
  immutableId?: string;
  changeKey?: string;
  /** Messages: the folder the change happened in (for a deletion, the folder it was deleted from). */
  folderId?: string;
}

export interface ChangeFeed {
  subscribe(listener: (changes: MailboxChange[]) => void): () => void;
  /** Well-known folder name or folder id → the folder's id in that mailbox (undefined: no such folder). */
  resolveFolder(oid: string, ref: string, immutableIds: boolean): string | undefined;
}

export const MAX_OUTLOOK_MINUTES = 10_080;
export const MAX_OUTLOOK_MINUTES_WITH_RESOURCE_DATA = 1_440;
const CHANGE_TYPES = ["created", "updated", "deleted"] as const;
const TLS_VERSIONS = ["v1_0", "v1_1", "v1_2", "v1_3"];
export const LIFECYCLE_EVENTS = ["reauthorizationRequired", "missed", "subscriptionRemoved"] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export interface Subscription {
  id: string;
  resource: string;
  applicationId: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: number;
  creatorId: string;
  tenantId: string;
  includeResourceData: boolean;
  latestSupportedTlsVersion: string;
  /** Resolved target. */
  mailbox: string;
  kind: "messages" | "events";
  folderId?: string;
  immutableIds: boolean;
  reauthorizationRequired: boolean;
  /** Set by the control API: change notifications are lost until the app reauthorizes. */
  deliveryPaused: boolean;
  delivered: number;
}

export interface SubscriptionServiceOptions {
  notifier: Notifier;
  graphBaseUrl: string;
  clock?: () => number;
  resolveUser?: (principal: string, tenantId: string) => string | undefined;
}

type ParsedResource = { principal: string; kind: "messages" | "events"; folderRef?: string };

export function parseSubscriptionResource(resource: string): ParsedResource | undefined {
  const path = resource.trim().replace(/^\/+/, "").replace(/\?.*$/, "");
  const principal = /^(me|users\/[^/]+|users\('[^']+'\))\/(.*)$/i.exec(path);
  if (!principal) return undefined;
  const who = (principal[1] as string).toLowerCase() === "me" ? "me" : (principal[1] as string).replace(/^users[/(]'?|'?\)$/gi, "");
  const rest = principal[2] as string;
  if (/^messages$/i.test(rest)) return { principal: who, kind: "messages" };
  const folder = /^mailfolders(?:\('([^']+)'\)|\/([^/]+))\/messages$/i.exec(rest);
  if (folder) return { principal: who, kind: "messages", folderRef: decodeURIComponent((folder[1] ?? folder[2]) as string) };
  if (/^(events|calendar\/events)$/i.test(rest)) return { principal: who, kind: "events" };
  return undefined;
}

export class SubscriptionService {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly clock: () => number;
  private feed?: ChangeFeed;
  private unsubscribe?: () => void;

  constructor(private readonly options: SubscriptionServiceOptions) {
    this.clock = options.clock ?? Date.now;
  }

  attachFeed(feed: ChangeFeed): void {
    this.unsubscribe?.();
    this.feed = feed;
    this.unsubscribe = feed.subscribe((changes) => this.onChanges(changes));
  }

  close(): void {
    this.unsubscribe?.();
  }

  list(): Subscription[] {
    this.sweep();
    return [...this.subscriptions.values()].map((s) => ({ ...s }));
  }

  /** Control API: a lifecycle notification to the subscription's lifecycleNotificationUrl. */
  sendLifecycle(id: string, event: LifecycleEvent, options: { pauseDelivery?: boolean } = {}): Subscription {
    const sub = this.subscriptions.get(id);
    if (!sub) throw new Error(`subscription ${id} does not exist`);
    if (!sub.lifecycleNotificationUrl) throw new Error(`subscription ${id} has no lifecycleNotificationUrl`);
    this.options.notifier.enqueue(sub.lifecycleNotificationUrl, "lifecycle", {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: iso(sub.expirationDateTime),
      tenantId: sub.tenantId,
      clientState: sub.clientState,
      lifecycleEvent: event,
    });
    if (event === "reauthorizationRequired") {
      sub.reauthorizationRequired = true;
      sub.deliveryPaused = options.pauseDelivery ?? false;
    }
    if (event === "subscriptionRemoved") this.subscriptions.delete(id);
    return { ...sub };
  }

  /** Control API: make a subscription expire now (it stops delivering and disappears). */
  expire(id: string): boolean {
    const sub = this.subscriptions.get(id);
    if (!sub) return false;
    sub.expirationDateTime = this.clock() - 1;
    return true;
  }

  router(): express.Router {
    const router = express.Router();
    router.use(express.json({ limit: "1mb" }));
    router.post("/", (req, res) => void this.create(req, res));
    router.get("/", (req, res) => this.listForCaller(req, res));
    router.get("/:id", (req, res) => this.withOwned(req, res, (sub) => this.send(res, 200, sub)));
    router.patch("/:id", (req, res) => this.withOwned(req, res, (sub) => void this.update(req, res, sub)));
    router.delete("/:id", (req, res) =>
      this.withOwned(req, res, (sub) => {
        this.subscriptions.delete(sub.id);
        res.status(204).end();
      }),
    );
    router.post("/:id/reauthorize", (req, res) =>
      this.withOwned(req, res, (sub) => {
        sub.reauthorizationRequired = false;
        sub.deliveryPaused = false;
        res.status(204).end();
      }),
    );
    return router;
  }

  private async create(req: Request, res: Response): Promise<void> {
    const caller = getContext(res).caller!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : undefined);
    const changeType = str("changeType");
    const notificationUrl = str("notificationUrl");
    const resource = str("resource");
    const expiration = str("expirationDateTime");
    for (const [name, value] of Object.entries({ changeType, notificationUrl, resource, expirationDateTime: expiration })) {
      if (!value) return invalid(res, `Invalid request: '${name}' is required.`);
    }
    const types = changeType!.split(",").map((t) => t.trim());
    if (types.length === 0 || types.some((t) => !(CHANGE_TYPES as readonly string[]).includes(t))) {
      return invalid(res, `Invalid 'changeType' attribute: '${changeType}'.`);
    }
    const parsed = parseSubscriptionResource(resource!);
    if (!parsed) return extensionError(res, 400, "Create", `The resource '${resource}' is not supported for change notifications.`);
    const mailbox =
      parsed.principal === "me" ? caller.oid : (this.options.resolveUser?.(parsed.principal, caller.tenantId) ?? parsed.principal);
    if (mailbox.toLowerCase() !== caller.oid.toLowerCase() || !hasAnyScope(caller.scopes, subscriptionScopes(parsed.kind))) {
      return extensionError(res, 403, "Create", "Access is denied. Check credentials and try again.");
    }
    const includeResourceData = body.includeResourceData === true;
    if (includeResourceData && typeof body.encryptionCertificate !== "string") {
      return invalid(res, "A valid encryptionCertificate is required when includeResourceData is true.");
    }
    const expirationError = this.checkExpiration(expiration!, includeResourceData, "Create");
    if (expirationError) return extensionError(res, 400, "Create", expirationError);
    const clientState = str("clientState");
    if (clientState !== undefined && clientState.length > 128) {
      return invalid(res, "The 'clientState' value exceeds the maximum length of 128 characters.");
    }
    const tls = str("latestSupportedTlsVersion") ?? "v1_2";
    if (!TLS_VERSIONS.includes(tls)) return invalid(res, `Invalid 'latestSupportedTlsVersion' value: '${tls}'.`);
    const lifecycleNotificationUrl = str("lifecycleNotificationUrl");
    for (const url of [notificationUrl!, lifecycleNotificationUrl].filter((u): u is string => !!u)) {
      const problem = checkNotificationUrl(url);
      if (problem) return invalid(res, problem);
    }
    let folderId: string | undefined;
    const immutableIds = (res.locals.graph as { immutableIds?: boolean } | undefined)?.immutableIds ?? false;
    if (parsed.folderRef) {
      folderId = this.feed?.resolveFolder(mailbox, parsed.folderRef, immutableIds);
      if (!folderId) return extensionError(res, 404, "Create", "The specified object was not found in the store.");
    }
    for (const url of [notificationUrl!, lifecycleNotificationUrl].filter((u): u is string => !!u)) {
      const result = await this.options.notifier.validate(url);
      if (!result.ok) {
        sendGraphError(res, 400, "ValidationError", result.message);
        return;
      }
    }
    const sub: Subscription = {
      id: randomUUID(),
      resource: resource!,
      applicationId: caller.appId,
      changeType: types.join(","),
      clientState: clientState ?? null,
      notificationUrl: notificationUrl!,
      lifecycleNotificationUrl: lifecycleNotificationUrl ?? null,
      expirationDateTime: Date.parse(expiration!),
      creatorId: caller.oid,
      tenantId: caller.tenantId,
      includeResourceData,
      latestSupportedTlsVersion: tls,
      mailbox,
      kind: parsed.kind,
      folderId,
      immutableIds,
      reauthorizationRequired: false,
      deliveryPaused: false,
      delivered: 0,
    };
    this.subscriptions.set(sub.id, sub);
    this.send(res, 201, sub);
  }

  private async update(req: Request, res: Response, sub: Subscription): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.expirationDateTime === "string") {
      const problem = this.checkExpiration(body.expirationDateTime, sub.includeResourceData, "Update");
      if (problem) return extensionError(res, 400, "Update", problem);
    }
    if (typeof body.notificationUrl === "string" && body.notificationUrl !== sub.notificationUrl) {
      const problem = checkNotificationUrl(body.notificationUrl);
      if (problem) return invalid(res, problem);
      const result = await this.options.notifier.validate(body.notificationUrl);
      if (!result.ok) {
        sendGraphError(res, 400, "ValidationError", result.message);
        return;
      }
      sub.notificationUrl = body.notificationUrl;
    }
    if (typeof body.expirationDateTime === "string") sub.expirationDateTime = Date.parse(body.expirationDateTime);
    // Renewing also reauthorizes (Graph docs: lifecycle notifications).
    sub.reauthorizationRequired = false;
    sub.deliveryPaused = false;
    this.send(res, 200, sub);
  }

  private checkExpiration(value: string, includeResourceData: boolean, _operation: string): string | undefined {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return `The value '${value}' of expirationDateTime is not a valid date.`;
    const now = this.clock();
    if (at <= now) return "Subscription expiration date time is in the past.";
    const max = includeResourceData ? MAX_OUTLOOK_MINUTES_WITH_RESOURCE_DATA : MAX_OUTLOOK_MINUTES;
    if (at - now > max * 60_000) return `Subscription expiration can only be ${max} minutes in the future.`;
    return undefined;
  }

  private listForCaller(_req: Request, res: Response): void {
    const caller = getContext(res).caller!;
    this.sweep();
    const mine = [...this.subscriptions.values()].filter((s) => s.applicationId === caller.appId && s.creatorId === caller.oid);
    res
      .status(200)
      .type("application/json")
      .send(JSON.stringify({ "@odata.context": `${this.options.graphBaseUrl}/$metadata#subscriptions`, value: mine.map((s) => this.view(s)) }));
  }

  private withOwned(req: Request, res: Response, action: (sub: Subscription) => void): void {
    const caller = getContext(res).caller!;
    this.sweep();
    const sub = this.subscriptions.get(String(req.params.id));
    if (!sub || sub.applicationId !== caller.appId || sub.creatorId !== caller.oid) {
      sendGraphError(res, 404, "ResourceNotFound", `The object was not found.`);
      return;
    }
    action(sub);
  }

  private send(res: Response, status: number, sub: Subscription): void {
    const body = { "@odata.context": `${this.options.graphBaseUrl}/$metadata#subscriptions/$entity`, ...this.view(sub) };
    res.status(status).type("application/json").send(JSON.stringify(body));
  }

  private view(sub: Subscription): Record<string, unknown> {
    return {
      id: sub.id,
      resource: sub.resource,
      applicationId: sub.applicationId,
      changeType: sub.changeType,
      clientState: sub.clientState,
      notificationUrl: sub.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: sub.lifecycleNotificationUrl,
      expirationDateTime: iso(sub.expirationDateTime),
      creatorId: sub.creatorId,
      includeResourceData: sub.includeResourceData,
      latestSupportedTlsVersion: sub.latestSupportedTlsVersion,
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  /** Graph removes subscriptions once they expire. */
  private sweep(): void {
    const now = this.clock();
    for (const [id, s] of this.subscriptions) if (s.expirationDateTime <= now) this.subscriptions.delete(id);
  }

  private onChanges(changes: MailboxChange[]): void {
    const now = this.clock();
    for (const change of changes) {
      for (const sub of this.subscriptions.values()) {
        if (sub.expirationDateTime <= now || sub.deliveryPaused) continue;
        if (sub.mailbox.toLowerCase() !== change.oid.toLowerCase()) continue;
        if ((sub.kind === "messages") !== (change.kind === "message")) continue;
        if (!sub.changeType.split(",").includes(change.changeType)) continue;
        if (sub.folderId && sub.folderId !== change.folderId) continue;
        const id = sub.immutableIds ? (change.immutableId ?? change.id) : change.id;
        const entity = change.kind === "message" ? "Messages" : "Events";
        const resource = `Users/${change.oid}/${entity}/${id}`;
        const resourceData: Record<string, unknown> = {
          "@odata.type": change.kind === "message" ? "#Microsoft.Graph.Message" : "#Microsoft.Graph.Event",
          "@odata.id": resource,
        };
        if (change.changeKey && change.changeType !== "deleted") resourceData["@odata.etag"] = `W/"${change.changeKey}"`;
        resourceData.id = id;
        sub.delivered++;
        this.options.notifier.enqueue(sub.notificationUrl, "change", {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: iso(sub.expirationDateTime),
          changeType: change.changeType,
          resource,
          resourceData,
          clientState: sub.clientState,
          tenantId: sub.tenantId,
        });
      }
    }
  }
}

function checkNotificationUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `Invalid notification URL '${url}'.`;
  }
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(parsed.hostname);
  if (parsed.protocol === "https:" || (parsed.protocol === "http:" && local)) return undefined;
  return "The Notification Url must be an HTTPS URL.";
}

function invalid(res: Response, message: string): void {
  sendGraphError(res, 400, "InvalidRequest", message);
}

/** Outlook-side subscription failures come wrapped like this in Graph's answers. */
function extensionError(res: Response, status: number, operation: string, reason: string): void {
  const statusText = status === 403 ? "Forbidden" : status === 404 ? "NotFound" : "BadRequest";
  sendGraphError(res, status, "ExtensionError", `Operation: ${operation}; Exception: [Status Code: ${statusText}; Reason: ${reason}]`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}
