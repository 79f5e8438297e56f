/**
 * The baseline the sync's speed is compared with: paging through exactly the data a history sync
 * reads — the same endpoints, $select/$filter/$orderby, page sizes and request plan (folder listing,
 * filtered delta to its cap, keyset list backfill beyond it, the catch-up delta, the calendar view
 * delta) with 4 requests in flight per mailbox (Outlook's limit) — but doing nothing with the items
 * beyond parsing the JSON (needed to follow the links). Plain fetch over the same HTTPS keep-alive
 * transport the Graph SDK uses; no retries (the benchmarks run without faults).
 */
import { EXCLUDED_WELL_KNOWN, LABELLED_WELL_KNOWN } from "../../server/sync/engine";
import { MESSAGE_SELECT } from "../../server/sync/mapping";

export interface PagerOptions {
  graphUrl: string;
  token: string;
  /** receivedDateTime lower bound (the sync's mail window start). */
  windowStart: Date;
  calendarWindow: { start: Date; end: Date };
  concurrency?: number;
  pageSize?: number;
  filteredDeltaCap?: number;
}

export interface PagerResult {
  ms: number;
  requests: number;
  /** Distinct messages inside the window in the synced folders. */
  messages: number;
  events: number;
  folders: number;
}

const EXCLUDED: readonly string[] = EXCLUDED_WELL_KNOWN;
const LABELLED: readonly string[] = LABELLED_WELL_KNOWN;

interface Page {
  value?: Array<Record<string, unknown>>;
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
  responses?: Array<{ id: string; status: number; body?: { id?: string } }>;
}

export async function pageThrough(o: PagerOptions): Promise<PagerResult> {
  const pageSize = o.pageSize ?? 1000;
  const cap = o.filteredDeltaCap ?? 5000;
  const base = o.graphUrl.replace(/\/+$/, "");
  let requests = 0;
  // Outlook's per-mailbox limit, as the sync's driver keeps it.
  let active = 0;
  const waiters: Array<() => void> = [];
  const limit = o.concurrency ?? 4;
  const call = async (url: string, prefer: string[] = [], init: RequestInit = {}): Promise<Page> => {
    while (active >= limit) await new Promise<void>((r) => waiters.push(r));
    active++;
    try {
      requests++;
      const res = await fetch(url.startsWith("http") ? url : base + url, {
        ...init,
        headers: {
          Authorization: `Bearer ${o.token}`,
          Prefer: ['IdType="ImmutableId"', ...prefer].join(", "),
          ...(init.body ? { "content-type": "application/json" } : {}),
        },
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${url} → ${res.status} ${text.slice(0, 200)}`);
      return JSON.parse(text) as Page;
    } finally {
      active--;
      waiters.shift()?.();
    }
  };

  const started = performance.now();
  const batch = await call("/$batch", [], {
    method: "POST",
    body: JSON.stringify({ requests: LABELLED.map((name, i) => ({ id: String(i), method: "GET", url: `/me/mailFolders/${name}?$select=id` })) }),
  });
  const excludedIds = new Set<string>();
  for (const r of batch.responses ?? []) if (r.status === 200 && EXCLUDED.includes(LABELLED[Number(r.id)]!) && r.body?.id) excludedIds.add(r.body.id);

  const select = "$select=id,displayName,parentFolderId,childFolderCount,totalItemCount";
  const folders: string[] = [];
  const queue = [`/me/mailFolders?$top=250&${select}`];
  while (queue.length > 0) {
    let url: string | undefined = queue.shift()!;
    while (url) {
      const page = await call(url);
      for (const f of page.value ?? []) {
        const id = f.id as string;
        if (excludedIds.has(id) || f.isHidden === true) continue;
        folders.push(id);
        if (((f.childFolderCount as number) ?? 0) > 0) queue.push(`/me/mailFolders/${encodeURIComponent(id)}/childFolders?$top=250&${select}`);
      }
      url = page["@odata.nextLink"];
    }
  }

  const ge = o.windowStart.toISOString().replace(/\.\d{3}Z$/, "Z");
  const orderby = encodeURIComponent("receivedDateTime desc");
  const seen = new Set<string>();
  let events = 0;
  const take = (items: Array<Record<string, unknown>> | undefined): { n: number; oldest: string | null } => {
    let n = 0;
    let oldest: string | null = null;
    for (const m of items ?? []) {
      if (m["@removed"]) continue;
      n++;
      const at = m.receivedDateTime as string;
      if (oldest === null || at < oldest) oldest = at;
      if (Date.parse(at) >= o.windowStart.getTime()) seen.add(m.id as string);
    }
    return { n, oldest };
  };
  const delta = ["odata.maxpagesize=" + pageSize];

  const mailFolder = async (id: string) => {
    const folder = encodeURIComponent(id);
    let url: string | undefined = `/me/mailFolders/${folder}/messages/delta?$select=${MESSAGE_SELECT}&$filter=${encodeURIComponent(`receivedDateTime ge ${ge}`)}&$orderby=${orderby}`;
    let returned = 0;
    let oldest: string | null = null;
    let deltaLink: string | undefined;
    while (url) {
      const page = await call(url, delta);
      const t = take(page.value);
      returned += t.n;
      if (t.oldest && (oldest === null || t.oldest < oldest)) oldest = t.oldest;
      url = page["@odata.nextLink"];
      deltaLink = page["@odata.deltaLink"];
    }
    if (returned < cap || oldest === null) return;
    let upper = oldest;
    let inclusive = true;
    for (;;) {
      const filter = encodeURIComponent(`receivedDateTime ge ${ge} and receivedDateTime ${inclusive ? "le" : "lt"} ${upper.replace(/\.\d{3}Z$/, "Z")}`);
      const page = await call(`/me/mailFolders/${folder}/messages?$filter=${filter}&$orderby=${orderby}&$top=${pageSize}&$select=${MESSAGE_SELECT}`);
      const t = take(page.value);
      if (t.n < pageSize || t.oldest === null) break;
      inclusive = t.oldest !== upper;
      upper = t.oldest;
    }
    if (deltaLink) await call(deltaLink, delta);
  };

  const calendar = async () => {
    const w = o.calendarWindow;
    let url: string | undefined = `/me/calendarView/delta?startDateTime=${encodeURIComponent(w.start.toISOString())}&endDateTime=${encodeURIComponent(w.end.toISOString())}`;
    while (url) {
      const page = await call(url, [...delta, 'outlook.timezone="UTC"']);
      for (const e of page.value ?? []) if (!e["@removed"] && e.type !== "seriesMaster") events++;
      url = page["@odata.nextLink"];
    }
  };

  const tasks: Array<() => Promise<void>> = [...folders.map((id) => () => mailFolder(id)), calendar];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
  return { ms: performance.now() - started, requests, messages: seen.size, events, folders: folders.length };
}
