/**
 * The OpenAPI 3.1 document for the whole REST API, served at GET /api/openapi.json. Bodies and
 * responses come from the same zod schemas the routes validate with (z.toJSONSchema); the paths
 * are listed here by hand. openapi.test.ts fails when a route exists without being documented.
 * The sync helper adds its routes through `extraPaths`.
 */
import { z } from "zod";
import * as dir from "../directory/schemas";
import * as api from "./schemas";

type Json = Record<string, unknown>;

const schemas: Record<string, { schema: z.ZodType; io: "input" | "output" }> = {
  ApiError: { schema: api.ApiErrorSchema, io: "output" },
  MeResponse: { schema: api.MeResponseSchema, io: "output" },
  ConnectionStatus: { schema: api.ConnectionStatusSchema, io: "output" },
  AuthSessionResponse: { schema: api.AuthSessionResponseSchema, io: "output" },
  MemberSettings: { schema: api.MemberSettingsSchema, io: "output" },
  SettingsUpdate: { schema: api.SettingsUpdateSchema, io: "input" },
  AddAlias: { schema: api.AddAliasSchema, io: "input" },
  ApiKeyResponse: { schema: api.ApiKeyResponseSchema, io: "output" },
  PutTeamMembers: { schema: dir.PutTeamMembersBody, io: "input" },
  PutCustomers: { schema: dir.PutCustomersBody, io: "input" },
  PutUsers: { schema: dir.PutUsersBody, io: "input" },
  PutCompanyDomains: { schema: dir.PutCompanyDomainsBody, io: "input" },
  UpsertResult: { schema: dir.UpsertResult, io: "output" },
  TeamMemberList: { schema: dir.listResponse("teamMembers", dir.TeamMemberView), io: "output" },
  CustomerList: { schema: dir.listResponse("customers", dir.CustomerView), io: "output" },
  UserList: { schema: dir.listResponse("users", dir.UserView), io: "output" },
  CompanyDomains: { schema: z.object({ domains: z.array(dir.CompanyDomainView) }), io: "output" },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (name: string, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { "application/json": { schema: ref(name) } },
});
const jsonResponse = (description: string, name: string) => ({ description, content: { "application/json": { schema: ref(name) } } });
const errorResponse = (description: string) => jsonResponse(description, "ApiError");

const memberErrors = {
  "401": errorResponse("No or invalid pane token (code unauthenticated or invalid_token)."),
  "403": errorResponse("The Microsoft account is not a team member (code unknown_member)."),
};
const adminErrors = {
  "401": errorResponse("No or invalid credentials (invalid_token, invalid_api_key)."),
  "403": errorResponse("The caller is a team member but not an admin (code admin_required), or not a team member."),
};
const invalid = { "400": errorResponse("Validation failed; `field` names the offending field and `rows` lists per-row problems.") };

const member = [{ paneToken: [] }];
const admin = [{ apiKey: [] }, { paneToken: [] }];

function directoryCollection(path: string, tag: string, put: string, list: string, noun: string): Json {
  return {
    [`/api/directory/${path}`]: {
      get: {
        tags: ["Directory"],
        summary: `List ${noun}s, ordered by externalId`,
        security: admin,
        parameters: [
          { name: "after", in: "query", schema: { type: "string" }, description: "The previous page's `next`." },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 500 } },
        ],
        responses: { "200": jsonResponse(`A page of ${noun}s`, list), ...adminErrors },
      },
      put: {
        tags: ["Directory"],
        summary: `Bulk upsert ${noun}s by externalId (all-or-nothing)`,
        description: `Creates or updates up to ${dir.MAX_ROWS_PER_REQUEST} ${noun}s. If any row has a problem nothing is saved and the 400 response lists every problem in error.rows.`,
        security: admin,
        requestBody: jsonBody(put),
        responses: { "200": jsonResponse("How many rows were created and updated", "UpsertResult"), ...invalid, ...adminErrors },
      },
    },
    [`/api/directory/${path}/{externalId}`]: {
      delete: {
        tags: ["Directory"],
        summary: `Delete a ${noun} by externalId`,
        description: tag,
        security: admin,
        parameters: [{ name: "externalId", in: "path", required: true, schema: { type: "string" } }],
        responses: { "204": { description: "Deleted" }, "404": errorResponse(`No such ${noun} in your organisation`), ...adminErrors },
      },
    },
  };
}

export function buildOpenApiDocument(options: { publicUrl?: string; extraPaths?: Json; extraSchemas?: Json } = {}): Json {
  const componentSchemas: Json = {};
  for (const [name, { schema, io }] of Object.entries(schemas)) {
    const js = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Json;
    delete js.$schema;
    componentSchemas[name] = js;
  }
  Object.assign(componentSchemas, options.extraSchemas ?? {});

  const paths: Json = {
    "/api/me": {
      get: {
        tags: ["Pane"],
        summary: "The signed-in team member and their organisation",
        security: member,
        responses: { "200": jsonResponse("Who is signed in", "MeResponse"), ...memberErrors },
      },
    },
    "/api/connection": {
      get: {
        tags: ["Pane"],
        summary: "The member's Microsoft 365 connection status, with the pane's headline and next step",
        security: member,
        responses: { "200": jsonResponse("Connection status", "ConnectionStatus"), ...memberErrors },
      },
    },
    "/api/connection/auth-session": {
      post: {
        tags: ["Pane"],
        summary: "A single-use, short-lived URL that starts the Microsoft sign-in in the Office dialog",
        security: member,
        responses: { "201": jsonResponse("Open this URL in the dialog", "AuthSessionResponse"), ...memberErrors },
      },
    },
    "/api/connection/revoke": {
      post: {
        tags: ["Pane"],
        summary: "Disconnect: tokens are deleted and sync stops; synced history is kept",
        security: member,
        responses: { "200": jsonResponse("The new status (not_connected)", "ConnectionStatus"), ...memberErrors },
      },
    },
    "/api/settings": {
      get: {
        tags: ["Pane"],
        summary: "The member's sync settings and aliases",
        security: member,
        responses: { "200": jsonResponse("Settings", "MemberSettings"), ...memberErrors },
      },
      put: {
        tags: ["Pane"],
        summary: "Change any of the three sync toggles",
        security: member,
        requestBody: jsonBody("SettingsUpdate"),
        responses: { "200": jsonResponse("Settings after the change", "MemberSettings"), ...invalid, ...memberErrors },
      },
    },
    "/api/settings/aliases": {
      post: {
        tags: ["Pane"],
        summary: "Add an alias address the member sends from",
        security: member,
        requestBody: jsonBody("AddAlias"),
        responses: {
          "201": jsonResponse("Added", "MemberSettings"),
          "200": jsonResponse("Already present", "MemberSettings"),
          ...invalid,
          "409": errorResponse("The address belongs to another team member"),
          ...memberErrors,
        },
      },
    },
    "/api/settings/aliases/{address}": {
      delete: {
        tags: ["Pane"],
        summary: "Remove a manually added alias (aliases found in the mailbox cannot be removed)",
        security: member,
        parameters: [{ name: "address", in: "path", required: true, schema: { type: "string", format: "email" } }],
        responses: {
          "200": jsonResponse("Settings after the change", "MemberSettings"),
          ...invalid,
          "404": errorResponse("Not one of the member's aliases"),
          ...memberErrors,
        },
      },
    },
    ...directoryCollection("team-members", "Deleting a team member stops their sync and removes their connection.", "PutTeamMembers", "TeamMemberList", "team member"),
    ...directoryCollection("customers", "Deleting a customer also deletes its users (contacts).", "PutCustomers", "CustomerList", "customer"),
    ...directoryCollection("users", "Deletes one customer contact.", "PutUsers", "UserList", "user"),
    "/api/directory/company-domains": {
      get: {
        tags: ["Directory"],
        summary: "Company domains: mail between them is internal and never synced",
        security: admin,
        responses: { "200": jsonResponse("Derived (team_member) and admin-added domains", "CompanyDomains"), ...adminErrors },
      },
      put: {
        tags: ["Directory"],
        summary: "Replace the admin-added company domains",
        security: admin,
        requestBody: jsonBody("PutCompanyDomains"),
        responses: { "200": jsonResponse("All company domains", "CompanyDomains"), ...invalid, ...adminErrors },
      },
    },
    "/api/organisation/api-key": {
      post: {
        tags: ["Directory"],
        summary: "Create or replace the organisation's API key (shown once; only its hash is stored)",
        security: admin,
        responses: { "201": jsonResponse("The new key", "ApiKeyResponse"), ...adminErrors },
      },
    },
    "/api/openapi.json": {
      get: { tags: ["Meta"], summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1 document" } } },
    },
    "/auth/start": {
      get: {
        tags: ["Connect flow (browser)"],
        summary: "Opened in the Office dialog: consumes the single-use session and redirects to Microsoft's sign-in",
        security: [],
        parameters: [{ name: "session", in: "query", required: true, schema: { type: "string" } }],
        responses: {
          "302": { description: "Redirect to the authority's authorize endpoint" },
          "400": { description: "HTML page explaining that the link is invalid, used or expired", content: { "text/html": {} } },
        },
      },
    },
    "/auth/callback": {
      get: {
        tags: ["Connect flow (browser)"],
        summary: "Redirect URI: redeems the code, stores tokens encrypted, and hands the result to the pane",
        description:
          "Ends on an HTML page that calls Office.context.ui.messageParent (or window.opener.postMessage) with " +
          '{"type":"startdeliver:connect-result","ok","state","message","accountAddress","adminConsentUrl"}. ' +
          "Also receives the admin-consent redirect (admin_consent=True).",
        security: [],
        responses: { "200": { description: "Result page", content: { "text/html": {} } } },
      },
    },
    ...(options.extraPaths ?? {}),
  };

  return {
    openapi: "3.1.0",
    info: {
      title: "Startdeliver Outlook sync API",
      version: "1.0.0",
      description:
        "The Outlook pane's API (team members, with an Entra access token for api://{clientId}/access_as_user) and the directory API " +
        "(admins: the organisation API key `Authorization: Bearer sk_…`, or an admin member's token). Errors are " +
        '{"error":{"code","message","field"?,"rows"?}}.',
    },
    ...(options.publicUrl ? { servers: [{ url: options.publicUrl }] } : {}),
    components: {
      securitySchemes: {
        paneToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A Microsoft Entra access token for api://{clientId}/access_as_user, from the pane (NAA/SSO).",
        },
        apiKey: { type: "http", scheme: "bearer", description: "The organisation's API key, sk_…" },
      },
      schemas: componentSchemas,
    },
    paths,
  };
}
