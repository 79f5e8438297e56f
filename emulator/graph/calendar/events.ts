/**
 * Non-delta calendar reads: /me/calendarView (expanded, paged), /me/events (series masters and
 * single events), /me/events/{id} (also occurrence ids) and /me/events/{id}/instances.
 */
import { type GraphContext, metadata, v1 } from "../context";
import { errors } from "../errors";
import { nextLinkFor, parsePaging } from "../odata/paging";
import { systemOption } from "../odata/query";
import { parseSelect } from "../odata/select";
import type { EventRecord, Instance } from "../store/types";
import { instanceId, instancesInWindow, instancesOf, occurrenceAt, originalStartFromOccurrenceId } from "./calendar-view";
import { parseWindow } from "./delta";
import { EVENT_PROPERTIES, instanceObject, masterObject, selectEvent } from "./serialize";

function page(ctx: GraphContext, objects: Array<Record<string, unknown>>, requestPath: string, contextPath: string): string {
  const select = parseSelect(systemOption(ctx.query, "select"), EVENT_PROPERTIES, "event");
  const paging = parsePaging(ctx.query, 10, 1000);
  const slice = objects.slice(paging.skip, paging.skip + paging.top).map((o) => selectEvent(o, select));
  const next = nextLinkFor(v1(ctx, requestPath), ctx.query, paging, objects.length, slice.length);
  const body: Record<string, unknown> = { "@odata.context": metadata(ctx, select ? `${contextPath}(${select.join(",")})` : contextPath) };
  if (next) body["@odata.nextLink"] = next;
  body.value = slice;
  return JSON.stringify(body);
}

export function listCalendarView(ctx: GraphContext, requestPath: string): string {
  const [from, to] = parseWindow(ctx);
  const paging = parsePaging(ctx.query, 10, 1000);
  // Render only the requested page: a wide window over a busy calendar stays cheap.
  const all = instancesInWindow(ctx.mailbox.calendar, from, to);
  const objects: Array<Record<string, unknown>> = new Array(all.length);
  for (let i = 0; i < all.length; i++) {
    objects[i] = i >= paging.skip && i < paging.skip + paging.top ? instanceObject(ctx.mailbox, all[i]!, ctx.immutableIds) : {};
  }
  return page(ctx, objects, requestPath, `users('${ctx.mailbox.oid}')/calendarView`);
}

export function listEvents(ctx: GraphContext, requestPath: string): string {
  const records = ctx.mailbox.calendar.events.filter((r) => !r.deleted).sort((a, b) => b.startMs - a.startMs || b.ordinal - a.ordinal);
  return page(ctx, records.map((r) => masterObject(r, ctx.immutableIds)), requestPath, `users('${ctx.mailbox.oid}')/events`);
}

/** Resolves a master/single id or an occurrence id (master id + date) to what it names. */
export function findEventOrInstance(ctx: GraphContext, id: string): { record: EventRecord; instance?: Instance } {
  const cal = ctx.mailbox.calendar;
  const direct = cal.byId.get(id);
  if (direct) return { record: direct };
  // Occurrence ids are the master's id with its last group replaced by the occurrence date.
  const original = originalStartFromOccurrenceId(id);
  if (original !== undefined) {
    const stem = id.slice(0, -20);
    for (const record of cal.events) {
      if (record.deleted || record.kind !== "seriesMaster") continue;
      const immutable = record.immutableId.startsWith(stem);
      if (!immutable && !record.restId.startsWith(stem)) continue;
      const inst = occurrenceAt(record, original);
      if (inst && instanceId(ctx.mailbox, inst, immutable) === id) return { record, instance: inst };
    }
  }
  throw errors.itemNotFound();
}

export function getEvent(ctx: GraphContext, id: string): string {
  const select = parseSelect(systemOption(ctx.query, "select"), EVENT_PROPERTIES, "event");
  const found = findEventOrInstance(ctx, id);
  const full = found.instance ? instanceObject(ctx.mailbox, found.instance, ctx.immutableIds) : masterObject(found.record, ctx.immutableIds);
  const base = `users('${ctx.mailbox.oid}')/events`;
  return JSON.stringify({
    "@odata.context": metadata(ctx, select ? `${base}(${select.join(",")})/$entity` : `${base}/$entity`),
    ...selectEvent(full, select),
  });
}

export function listInstances(ctx: GraphContext, id: string, requestPath: string): string {
  const found = findEventOrInstance(ctx, id);
  if (found.instance) throw errors.itemNotFound();
  const [from, to] = parseWindow(ctx);
  const objects = instancesOf(found.record, from, to).map((inst) => instanceObject(ctx.mailbox, inst, ctx.immutableIds));
  return page(ctx, objects, requestPath, `users('${ctx.mailbox.oid}')/events('${id}')/instances`);
}
