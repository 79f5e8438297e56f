/**
 * The reports API. Every route authenticates; the organisation always comes from the caller's
 * credentials, never from the request, and a customer of another organisation is a 404.
 *
 *   GET  /api/reports/team                       team members (owner filter)          member
 *   GET  /api/customers                          customer list (+ ?format=csv)        member
 *   GET  /api/customers/:id                      profile                              member
 *   GET  /api/customers/:id/history              History / Interactions tabs          member
 *   GET  /api/customers/:id/activity             relationship activity (health)       member or organisation API key
 *   GET  /api/impact                             dashboard aggregates                 member
 *   GET  /api/impact/drilldown                   interactions behind a bar (+ csv)    member
 *   POST /api/reports/rebuild                    recount the dashboard counters       admin
 */
import { Router, type Request, type RequestHandler } from "express";
import type { Db } from "../db/database";
import { badRequest, notFound } from "../api/errors";
import { authOf, memberOf, requireAdmin, requireMember, type Authenticator } from "../auth/middleware";
import type { DrilldownItem } from "../../shared/api/reports";
import { ActivityReads } from "./activity";
import { sendCsv, toCsv } from "./csv";
import { decodeCursor } from "./cursor";
import { CustomerReports, type CustomerListFilter } from "./customers";
import { ImpactReports, type ImpactPeriodInput } from "./impact";
import { parseQuery } from "./query";
import { CustomerListQuery, DEFAULT_PERIOD_DAYS, DrilldownQuery, HistoryQuery, ImpactQuery, MAX_PERIOD_DAYS, NoQuery } from "./schemas";
import { addDays, dayOf, daysBetweenInclusive } from "./time";

export interface ReportsDeps {
  db: Db;
  authenticator: Authenticator;
  /** The clock (tests pin it). */
  now?: () => Date;
  /**
   * Brings customers' last interaction up to date with meetings that have started since it was
   * computed: the interactions engine's refreshDueActivity().
   */
  refreshDueActivity?: () => void;
}

export interface ReportsService {
  customers: CustomerReports;
  impact: ImpactReports;
  activity: ActivityReads;
}

export function createReportsService(db: Db): ReportsService {
  return { customers: new CustomerReports(db), impact: new ImpactReports(db), activity: new ActivityReads(db) };
}

const orgOf = (req: Request) => authOf(req).organisationId;
const paramId = (req: Request) => String(req.params.id);

/** from/to of a dashboard period: default the 30 days up to today; at most MAX_PERIOD_DAYS. */
export function resolvePeriod(q: { from?: string; to?: string }, now: Date): ImpactPeriodInput {
  const to = q.to ?? (q.from ? addDays(q.from, DEFAULT_PERIOD_DAYS - 1) : dayOf(now));
  const from = q.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
  if (from > to) throw badRequest(`from: must be on or before to (${to})`, "from");
  if (daysBetweenInclusive(from, to) > MAX_PERIOD_DAYS) throw badRequest(`to: a period can be at most ${MAX_PERIOD_DAYS} days long`, "to");
  return { from, to };
}

export function reportsRoutes(deps: ReportsDeps, service: ReportsService = createReportsService(deps.db)): Router {
  const router = Router();
  const member = requireMember(deps.authenticator);
  const admin = requireAdmin(deps.authenticator);
  // The health assessment reads activity server-to-server with the organisation's API key.
  const memberOrKey: RequestHandler = async (req, _res, next) => {
    req.auth = await deps.authenticator.authenticate(req);
    next();
  };
  const now = deps.now ?? (() => new Date());
  const fresh = () => deps.refreshDueActivity?.();
  const { customers, impact, activity } = service;

  router.get("/api/reports/team", member, (req, res) => {
    parseQuery(NoQuery, req.query);
    const m = memberOf(req);
    res.json(customers.teamMembers(m.organisationId, { id: m.id, name: m.name, isAdmin: m.isAdmin }));
  });

  router.get("/api/customers", member, (req, res) => {
    const q = parseQuery(CustomerListQuery, req.query);
    const m = memberOf(req);
    fresh();
    const at = now();
    const filter: CustomerListFilter = { sort: q.sort, order: q.order, quietDays: q.quietDays, q: q.q?.trim() || undefined };
    if (q.owner !== undefined) filter.owner = q.owner === "me" ? m.id : q.owner;
    if (q.format === "csv") {
      const rows = customers.listAll(m.organisationId, filter, at);
      const body = toCsv(
        ["Customer", "External id", "Owner", "Last interaction", "Days since last interaction", "Last email reply", "Days since last email reply", "Emails (30 days)", "Meetings (30 days)"],
        rows.map((r) => [
          r.name,
          r.externalId,
          r.owner?.name ?? "",
          r.lastInteractionAt,
          r.daysSinceLastInteraction,
          r.lastEmailReplyAt,
          r.daysSinceLastEmailReply,
          r.emailsLast30Days,
          r.meetingsLast30Days,
        ]),
      );
      sendCsv(res, `customers-${dayOf(at)}.csv`, body);
      return;
    }
    res.json(customers.list(m.organisationId, filter, { page: q.page, pageSize: q.pageSize }, at));
  });

  router.get("/api/customers/:id", member, (req, res) => {
    parseQuery(NoQuery, req.query);
    fresh();
    const profile = customers.profile(orgOf(req), paramId(req), now());
    if (!profile) throw notFound("No such customer in your organisation");
    res.json(profile);
  });

  router.get("/api/customers/:id/history", member, (req, res) => {
    const q = parseQuery(HistoryQuery, req.query);
    const page = customers.history(orgOf(req), paramId(req), q.tab, decodeCursor(q.cursor), q.limit, now());
    if (!page) throw notFound("No such customer in your organisation");
    res.json(page);
  });

  router.get("/api/customers/:id/activity", memberOrKey, (req, res) => {
    parseQuery(NoQuery, req.query);
    fresh();
    const body = activity.activity(orgOf(req), paramId(req), now());
    if (!body) throw notFound("No such customer in your organisation");
    res.json(body);
  });

  router.get("/api/impact", member, (req, res) => {
    const q = parseQuery(ImpactQuery, req.query);
    const at = now();
    res.json(impact.impact(orgOf(req), resolvePeriod(q, at), at));
  });

  router.get("/api/impact/drilldown", member, (req, res) => {
    const q = parseQuery(DrilldownQuery, req.query);
    const at = now();
    // A day alone is its own period.
    const period = resolvePeriod(q.day && !q.from && !q.to ? { from: q.day, to: q.day } : q, at);
    if (q.day && (q.day < period.from || q.day > period.to)) throw badRequest(`day: must be within ${period.from} … ${period.to}`, "day");
    const member = q.member === "me" ? memberOf(req).id : q.member;
    const filter = { ...period, kind: q.kind, member, day: q.day };
    if (q.format === "csv") {
      const items = impact.drilldownAll(orgOf(req), filter);
      const name = ["interactions", q.day ?? `${period.from}-to-${period.to}`, q.kind ?? "all"].join("-");
      sendCsv(res, `${name}.csv`, drilldownCsv(items));
      return;
    }
    res.json(impact.drilldown(orgOf(req), filter, decodeCursor(q.cursor), q.limit));
  });

  router.post("/api/reports/rebuild", admin, (req, res) => {
    const orgId = orgOf(req);
    res.json(impact.rebuild(orgId));
  });

  return router;
}

function drilldownCsv(items: DrilldownItem[]): string {
  const names = (list: { name: string; address: string }[]) => list.map((p) => `${p.name} <${p.address}>`).join("; ");
  return toCsv(
    ["Kind", "Customer", "Subject", "Count in bar", "First in bar", "Last in bar", "Messages in conversation", "Last direction", "Cancelled", "Contacts", "Team members", "Link"],
    items.map((i) => [
      i.kind,
      i.customer.name,
      i.subject,
      i.units,
      i.firstUnitAt,
      i.lastUnitAt,
      i.kind === "email" ? i.messageCount : null,
      i.lastDirection,
      i.kind === "meeting" ? i.cancelled : null,
      names(i.contacts),
      names(i.teamMembers),
      i.webLink,
    ]),
  );
}
