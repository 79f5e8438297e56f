import { Router, type Request, type Response } from "express";
import { requestMeta, type IdentityContext } from "./context";
import { aad, tokenErrorBody } from "./errors";
import { v2Issuer } from "./tokens";

/**
 * OIDC discovery, JWKS and MSAL's instance discovery. A tenant-specific document names the tenant
 * GUID in every endpoint even when asked by domain (MSAL relies on that to swap a domain for the id);
 * common/organizations keep their segment and publish the issuer template with "{tenantid}".
 */
export function discoveryRoutes(ctx: IdentityContext): Router {
  const router = Router();

  router.get("/:tenant/v2.0/.well-known/openid-configuration", (req, res) => {
    const seg = ctx.directory.resolveSegment(req.params.tenant);
    allowAnyOrigin(res);
    if (!seg) return tenantError(ctx, req, res, req.params.tenant);
    const pathSegment = seg.kind === "tenant" ? seg.tenant.id : seg.kind;
    const base = `${ctx.baseUrl}/${pathSegment}`;
    res.json({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: seg.kind === "tenant" ? v2Issuer(ctx.baseUrl, seg.tenant.id) : v2Issuer(ctx.baseUrl, "{tenantid}"),
      request_uri_parameter_supported: false,
      userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
        "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: seg.kind === "tenant" ? "EU" : null,
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
      rbac_url: "https://pas.windows.net",
    });
  });

  const keys = (req: Request, res: Response) => {
    allowAnyOrigin(res);
    if (!ctx.directory.resolveSegment(req.params.tenant as string)) return tenantError(ctx, req, res, req.params.tenant as string);
    res.json(ctx.keys.jwks(v2Issuer(ctx.baseUrl, "{tenantid}")));
  };
  router.get("/:tenant/discovery/v2.0/keys", keys);
  router.get("/:tenant/discovery/keys", keys);

  // MSAL's instance discovery (normally always at login.microsoftonline.com/common).
  router.get("/common/discovery/instance", (req, res) => {
    allowAnyOrigin(res);
    const host = new URL(ctx.baseUrl).host;
    let tenant = "common";
    const authorizeEndpoint = typeof req.query.authorization_endpoint === "string" ? req.query.authorization_endpoint : "";
    try {
      tenant = new URL(authorizeEndpoint).pathname.split("/").filter(Boolean)[0] ?? "common";
    } catch {
      // Entra answers with the common document when authorization_endpoint is missing or unparsable.
    }
    res.json({
      tenant_discovery_endpoint: `${ctx.baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  return router;
}

function allowAnyOrigin(res: Response): void {
  res.set("Access-Control-Allow-Origin", "*");
}

function tenantError(ctx: IdentityContext, req: Request, res: Response, tenant: string): void {
  res.status(400).json(tokenErrorBody(aad.tenantNotFound(tenant), requestMeta(ctx, req)));
}
