/** The reports API's query parameters (zod). Unknown parameters are rejected, naming them. */
import { z } from "zod";
import { dayParam, formatParam, intParam } from "./query";

export const CustomerListQuery = z
  .object({
    sort: z.enum(["last_interaction", "last_email_reply", "name"], { error: 'must be "last_interaction", "last_email_reply" or "name"' }).default("last_interaction"),
    order: z.enum(["asc", "desc"], { error: 'must be "asc" or "desc"' }).optional(),
    /** A team member id, "me" or "none". */
    owner: z.string().min(1, { error: "must not be empty" }).max(100).optional(),
    quietDays: intParam(1, 3650).optional(),
    q: z.string().max(200, { error: "must be at most 200 characters" }).optional(),
    page: intParam(1, 1_000_000).default(1),
    pageSize: intParam(1, 200).default(50),
    format: formatParam,
  })
  .strict();
export type CustomerListQuery = z.output<typeof CustomerListQuery>;

export const HistoryQuery = z
  .object({
    tab: z.enum(["history", "interactions"], { error: 'must be "history" or "interactions"' }).default("history"),
    cursor: z.string().max(600).optional(),
    limit: intParam(1, 100).default(25),
  })
  .strict();

export const NoQuery = z.object({}).strict();

export const ImpactQuery = z
  .object({
    from: dayParam.optional(),
    to: dayParam.optional(),
  })
  .strict();

export const DrilldownQuery = z
  .object({
    from: dayParam.optional(),
    to: dayParam.optional(),
    kind: z.enum(["email", "meeting"], { error: 'must be "email" or "meeting"' }).optional(),
    member: z.string().min(1, { error: "must not be empty" }).max(100).optional(),
    day: dayParam.optional(),
    cursor: z.string().max(600).optional(),
    limit: intParam(1, 200).default(50),
    format: formatParam,
  })
  .strict();

/** The longest period the dashboard shows at once. */
export const MAX_PERIOD_DAYS = 366;
export const DEFAULT_PERIOD_DAYS = 30;
