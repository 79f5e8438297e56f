/**
 * The pages' locations, kept in the URL's hash so a link from the pane (or a bookmark, or a
 * reload) opens the same view: #/customers?…, #/customers/<id>?tab=…, #/impact?…
 */
import type { CustomerSort, HistoryTab, ImpactKind, SortOrder } from "../../shared/api/reports";

export interface CustomersRoute {
  page: "customers";
  sort: CustomerSort;
  order?: SortOrder;
  owner?: string;
  quietDays?: number;
  q?: string;
  pageNumber: number;
}

export interface CustomerRoute {
  page: "customer";
  id: string;
  tab: HistoryTab;
}

export interface Drill {
  kind?: ImpactKind;
  member?: string;
  day?: string;
  /** A week bar of a long period: its own from/to. */
  from?: string;
  to?: string;
}

export interface ImpactRoute {
  page: "impact";
  from?: string;
  to?: string;
  drill?: Drill;
}

export type Route = CustomersRoute | CustomerRoute | ImpactRoute;

const SORTS: readonly CustomerSort[] = ["last_interaction", "last_email_reply", "name"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function positiveInt(v: string | null): number | undefined {
  if (!v || !/^\d{1,6}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 ? n : undefined;
}

const day = (v: string | null) => (v && DAY.test(v) ? v : undefined);
const text = (v: string | null) => (v ? v : undefined);

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const [pathPart = "", queryPart = ""] = raw.split("?", 2);
  const parts = pathPart.split("/").filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const q = new URLSearchParams(queryPart);
  if (parts[0] === "customers" && parts[1]) {
    return { page: "customer", id: parts[1], tab: q.get("tab") === "interactions" ? "interactions" : "history" };
  }
  if (parts[0] === "impact") {
    const kind = q.get("kind");
    const drill: Drill = {
      kind: kind === "email" || kind === "meeting" ? kind : undefined,
      member: text(q.get("member")),
      day: day(q.get("day")),
      from: day(q.get("drillFrom")),
      to: day(q.get("drillTo")),
    };
    const drilling = q.get("drill") === "1";
    return { page: "impact", from: day(q.get("from")), to: day(q.get("to")), drill: drilling ? drill : undefined };
  }
  const sort = q.get("sort") as CustomerSort | null;
  const order = q.get("order");
  return {
    page: "customers",
    sort: sort && SORTS.includes(sort) ? sort : "last_interaction",
    order: order === "asc" || order === "desc" ? order : undefined,
    owner: text(q.get("owner")),
    quietDays: positiveInt(q.get("quietDays")),
    q: text(q.get("q")),
    pageNumber: positiveInt(q.get("page")) ?? 1,
  };
}

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}

export function formatRoute(route: Route): string {
  switch (route.page) {
    case "customer":
      return withQuery(`/customers/${encodeURIComponent(route.id)}`, { tab: route.tab === "history" ? undefined : route.tab });
    case "impact":
      return withQuery("/impact", {
        from: route.from,
        to: route.to,
        drill: route.drill ? 1 : undefined,
        kind: route.drill?.kind,
        member: route.drill?.member,
        day: route.drill?.day,
        drillFrom: route.drill?.from,
        drillTo: route.drill?.to,
      });
    case "customers":
      return withQuery("/customers", {
        sort: route.sort === "last_interaction" ? undefined : route.sort,
        order: route.order,
        owner: route.owner,
        quietDays: route.quietDays,
        q: route.q,
        page: route.pageNumber > 1 ? route.pageNumber : undefined,
      });
  }
}

/**
 * Links for the pane (no React here, so the pane can import this file alone): the pages live next
 * to taskpane.html as pages.html. `paneHref` is the pane's own location (window.location.href).
 */
export function pageLink(paneHref: string, route: Route): string {
  return `${new URL("pages.html", paneHref).href}${formatRoute(route)}`;
}

/** "Open customer" from the pane's customer card. */
export function customerPageLink(paneHref: string, customerId: string): string {
  return pageLink(paneHref, { page: "customer", id: customerId, tab: "history" });
}

/** "Impact" from the pane. */
export function impactPageLink(paneHref: string): string {
  return pageLink(paneHref, { page: "impact" });
}
