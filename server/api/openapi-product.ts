/**
 * OpenAPI paths and schemas for the routes the composition root mounts on top of the foundation
 * (sync, interactions, reports, pane host), generated from the same zod schemas the routes validate
 * with. server/product.test.ts fails when the product serves a route that is not documented here.
 */
import { z } from "zod";
import { OpenMessageSchema, WhyRequestSchema } from "../interactions/schemas";
import { CustomerListQuery, DrilldownQuery, HistoryQuery, ImpactQuery } from "../reports/schemas";

type Json = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: "input" | "output" = "input") => {
  const js = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Json;
  delete js.$schema;
  return js;
};

/** Query parameters from a zod object schema: one OpenAPI parameter per field, with its JSON schema. */
function queryParameters(schema: z.ZodObject): Json[] {
  const js = toSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({ name, in: "query", required: js.required?.includes(name) ?? false, schema: s }));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: { "application/json": { schema: ref("ApiError") } } });
const json = (description: string, schema: Json = { type: "object" }) => ({ description, content: { "application/json": { schema } } });
const csvOrJson = (description: string) => ({
  description,
  content: { "application/json": { schema: { type: "object" } }, "text/csv": { schema: { type: "string" } } },
});
const member = [{ paneToken: [] }];
const memberErrors = { "401": error("No or invalid pane token."), "403": error("Not a team member.") };
const invalid = { "400": error("Validation failed; `field` names the offending field or query parameter.") };
const idParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });

export const productOpenApi: { paths: Json; schemas: Json } = {
  schemas: {
    OpenMessage: toSchema(OpenMessageSchema),
    WhyRequest: toSchema(WhyRequestSchema),
  },
  paths: {
    "/api/connection/sync-now": {
      post: {
        tags: ["Connection"],
        summary: "Sync my mailbox now (resync: re-read the 6-month window from scratch, without duplicates)",
        security: member,
        requestBody: { required: false, content: { "application/json": { schema: { type: "object", properties: { resync: { type: "boolean" } }, additionalProperties: false } } } },
        responses: { "202": json("Sync requested; the current connection status", ref("ConnectionStatus")), "409": error("Not connected."), ...invalid, ...memberErrors },
      },
    },
    "/api/graph/notifications": {
      post: {
        tags: ["Microsoft Graph webhooks"],
        summary: "Change notifications from Microsoft Graph (validation handshake with ?validationToken)",
        description: "Called by Microsoft Graph, not by people: clientState is checked in constant time; a notification only schedules a delta sync.",
        security: [],
        responses: { "200": { description: "Validation token echoed (text/plain)" }, "202": { description: "Accepted" } },
      },
    },
    "/api/graph/lifecycle": {
      post: {
        tags: ["Microsoft Graph webhooks"],
        summary: "Lifecycle notifications from Microsoft Graph (reauthorizationRequired, missed, subscriptionRemoved)",
        security: [],
        responses: { "200": { description: "Validation token echoed (text/plain)" }, "202": { description: "Accepted" } },
      },
    },
    "/api/preview": {
      post: {
        tags: ["Pane"],
        summary: "The customers the open email matches, with their latest interactions",
        security: member,
        requestBody: { required: true, content: { "application/json": { schema: ref("OpenMessage") } } },
        responses: { "200": json("PreviewResponse (shared/api/contract.ts)"), ...invalid, ...memberErrors },
      },
    },
    "/api/why": {
      post: {
        tags: ["Pane"],
        summary: "Why this message did or didn't sync: reasons in plain words and the fixes that would change it",
        security: member,
        requestBody: { required: true, content: { "application/json": { schema: ref("WhyRequest") } } },
        responses: { "200": json("WhyResponse (shared/api/contract.ts)"), "404": error("No such message in your mailbox."), ...invalid, ...memberErrors },
      },
    },
    "/api/customers/{customerId}/summary": {
      get: {
        tags: ["Pane"],
        summary: "A customer's card for the pane: owner, last interaction, last email reply, latest interactions",
        security: member,
        parameters: [idParam("customerId")],
        responses: { "200": json("CustomerSummary"), "404": error("No such customer in your organisation."), ...memberErrors },
      },
    },
    "/api/reports/team": {
      get: { tags: ["Reports"], summary: "Team members (for the owner filter)", security: member, responses: { "200": json("Team members"), ...invalid, ...memberErrors } },
    },
    "/api/customers": {
      get: {
        tags: ["Reports"],
        summary: "Customer list: sort by last interaction / last email reply / name, owner and quiet-for-N-days filters; ?format=csv exports",
        security: member,
        parameters: queryParameters(CustomerListQuery),
        responses: { "200": csvOrJson("A page of customers with 30-day counts, or CSV"), ...invalid, ...memberErrors },
      },
    },
    "/api/customers/{id}": {
      get: { tags: ["Reports"], summary: "Customer profile", security: member, parameters: [idParam("id")], responses: { "200": json("Profile"), "404": error("No such customer in your organisation."), ...memberErrors } },
    },
    "/api/customers/{id}/history": {
      get: {
        tags: ["Reports"],
        summary: "History (every interaction) or Interactions (communication only) tab, newest first, keyset-paged",
        security: member,
        parameters: [idParam("id"), ...queryParameters(HistoryQuery)],
        responses: { "200": json("A page of interactions and the next cursor"), "404": error("No such customer in your organisation."), ...invalid, ...memberErrors },
      },
    },
    "/api/customers/{id}/activity": {
      get: {
        tags: ["Reports"],
        summary: "Relationship activity for the health assessment (docs/reports.md); pane token or organisation API key",
        security: [{ paneToken: [] }, { apiKey: [] }],
        parameters: [idParam("id")],
        responses: { "200": json("RelationshipActivity"), "404": error("No such customer in your organisation."), ...memberErrors },
      },
    },
    "/api/impact": {
      get: {
        tags: ["Reports"],
        summary: "Impact dashboard: emails and meetings per team member and per day over a period (default the last 30 days)",
        security: member,
        parameters: queryParameters(ImpactQuery),
        responses: { "200": json("Chart series and totals"), ...invalid, ...memberErrors },
      },
    },
    "/api/impact/drilldown": {
      get: {
        tags: ["Reports"],
        summary: "The interactions behind any bar of the dashboard (totals equal the chart's); ?format=csv exports",
        security: member,
        parameters: queryParameters(DrilldownQuery),
        responses: { "200": csvOrJson("A page of interactions, or CSV"), ...invalid, ...memberErrors },
      },
    },
    "/api/reports/rebuild": {
      post: { tags: ["Reports"], summary: "Recount the dashboard counters (admin)", security: [{ apiKey: [] }, { paneToken: [] }], responses: { "200": json("Done"), "401": error("No credentials."), "403": error("Admins only.") } },
    },
  },
};
