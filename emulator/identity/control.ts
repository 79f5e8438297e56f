import express, { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { AppRegistration, EmulatedTenant, EmulatedUser } from "../state";
import type { IdentityContext } from "./context";
import { DirectoryError } from "./directory";
import { settingsPatchSchema } from "./settings";

const tenantSchema = z
  .object({
    id: z.string().optional(),
    displayName: z.string().min(1),
    domains: z.array(z.string().min(1)).min(1),
    requiresAdminConsent: z.boolean().optional(),
    autoConsent: z.boolean().optional(),
  })
  .strict();

const tenantPatchSchema = z
  .object({ displayName: z.string().min(1), requiresAdminConsent: z.boolean(), autoConsent: z.boolean() })
  .partial()
  .strict();

const userSchema = z
  .object({
    oid: z.string().optional(),
    displayName: z.string().min(1),
    mail: z.string().min(3),
    userPrincipalName: z.string().optional(),
    aliases: z.array(z.string()).optional(),
    x500: z.string().optional(),
  })
  .strict();

const appSchema = z
  .object({
    clientId: z.string().optional(),
    displayName: z.string().min(1),
    redirectUris: z.array(z.string().url()),
    spaRedirectUris: z.array(z.string().url()).optional(),
    publicClientRedirectUris: z.array(z.string().url()).optional(),
    clientSecrets: z.array(z.string().min(1)).optional(),
    publicClient: z.boolean().optional(),
    identifierUri: z.string().optional(),
    exposedScopes: z.array(z.string().min(1)).optional(),
    homeTenantId: z.string().optional(),
    signInAudience: z.enum(["AzureADMyOrg", "AzureADMultipleOrgs"]).optional(),
    accessTokenAcceptedVersion: z.union([z.literal(1), z.literal(2)]).optional(),
    requiredScopes: z.array(z.string().min(1)).optional(),
  })
  .strict();

const adminConsentSchema = z.object({ clientId: z.string().min(1) }).strict();
const rotateSchema = z.object({ dropPrevious: z.boolean().optional() }).strict();

export interface ControlActions {
  rotateSigningKey(options?: { dropPrevious?: boolean }): void;
}

/** JSON control API mounted by the composer at /_emulator/identity. */
export function controlRoutes(ctx: IdentityContext, actions: ControlActions): Router {
  const router = Router();
  const { directory } = ctx;
  router.use(express.json());

  router.post("/tenants", (req, res) => {
    res.status(201).json(tenantJson(directory.addTenant(tenantSchema.parse(req.body))));
  });

  router.patch("/tenants/:id", (req, res) => {
    const tenant = directory.tenant(req.params.id);
    if (!tenant) return notFound(res, `tenant ${req.params.id}`);
    const patch = tenantPatchSchema.parse(req.body);
    if (patch.displayName !== undefined) tenant.displayName = patch.displayName;
    if (patch.requiresAdminConsent !== undefined) tenant.requiresAdminConsent = patch.requiresAdminConsent;
    if (patch.autoConsent !== undefined) tenant.autoConsent = patch.autoConsent;
    res.json(tenantJson(tenant));
  });

  router.post("/tenants/:id/users", (req, res) => {
    res.status(201).json(userJson(directory.addUser(req.params.id, userSchema.parse(req.body))));
  });

  router.post("/tenants/:id/admin-consent", (req, res) => {
    const { clientId } = adminConsentSchema.parse(req.body);
    if (!directory.app(clientId)) return notFound(res, `app ${clientId}`);
    directory.setAdminConsent(req.params.id, clientId, true);
    res.json(tenantJson(directory.tenant(req.params.id)!));
  });

  router.delete("/tenants/:id/admin-consent/:clientId", (req, res) => {
    directory.setAdminConsent(req.params.id, req.params.clientId, false);
    res.json(tenantJson(directory.tenant(req.params.id)!));
  });

  router.post("/apps", (req, res) => {
    const { clientSecret, ...app } = directory.registerApp(appSchema.parse(req.body));
    // The one time a secret is shown, as in the portal.
    res.status(201).json({ ...appJson(app), clientSecret });
  });

  router.post("/users/:oid/revoke", (req, res) => {
    const user = directory.user(req.params.oid);
    if (!user) return notFound(res, `user ${req.params.oid}`);
    res.json(userJson(directory.revokeUser(user.oid)));
  });

  router.post("/keys/rotate", (req, res) => {
    actions.rotateSigningKey(rotateSchema.parse(req.body ?? {}));
    res.json({ currentKid: ctx.keys.current().kid, published: ctx.keys.published().map((k) => k.kid) });
  });

  router.put("/settings", (req, res) => {
    Object.assign(ctx.settings, settingsPatchSchema.parse(req.body));
    res.json(ctx.settings);
  });

  router.get("/state", (_req, res) => {
    res.json({
      baseUrl: ctx.baseUrl,
      tenants: directory.tenantList().map((t) => ({ ...tenantJson(t), users: [...t.users.values()].map(userJson) })),
      apps: directory.appList().map(appJson),
      keys: { currentKid: ctx.keys.current().kid, published: ctx.keys.published().map((k) => k.kid) },
      settings: ctx.settings,
      counts: {
        pendingCodes: ctx.codes.count(),
        activeRefreshTokens: ctx.refreshTokens.activeCount(),
        sessions: ctx.sessions.count(),
        userConsentGrants: directory.grantCount(),
      },
    });
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof z.ZodError) return void res.status(400).json({ error: { code: "BadRequest", message: z.prettifyError(err) } });
    if (err instanceof DirectoryError) return void res.status(409).json({ error: { code: "Conflict", message: err.message } });
    if ((err as { type?: string }).type === "entity.parse.failed") return void res.status(400).json({ error: { code: "BadRequest", message: "Body is not valid JSON." } });
    next(err);
  });

  return router;
}

function notFound(res: Response, what: string): void {
  res.status(404).json({ error: { code: "NotFound", message: `${what} does not exist` } });
}

export function tenantJson(t: EmulatedTenant) {
  return {
    id: t.id,
    displayName: t.displayName,
    domains: t.domains,
    requiresAdminConsent: t.requiresAdminConsent,
    autoConsent: t.autoConsent,
    adminConsentedApps: [...t.adminConsentedApps],
    userCount: t.users.size,
  };
}

export function userJson(u: EmulatedUser) {
  return { ...u, tokensValidAfter: u.tokensValidAfter ? new Date(u.tokensValidAfter).toISOString() : null };
}

/** Secrets are never listed, only counted. */
export function appJson(a: AppRegistration) {
  const { clientSecrets, ...rest } = a;
  return { ...rest, clientSecretCount: clientSecrets.length };
}
