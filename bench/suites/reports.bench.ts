/**
 * Reports under load (issue 6): a temp SQLite database with every migration, filled directly with
 * one organisation of 50 team members, 10,000 customers and 1,000,000 interactions over a year
 * (one customer holding 5,000 of them), then timed through the real HTTP routes (express + the
 * real Authenticator with a stub token check):
 *   - the customer list, sorted and filtered in every supported way, p95 ≤ 50 ms;
 *   - the Impact dashboard aggregates (default 30 days, and a whole year), ≤ 200 ms, and the
 *     drill-down behind a bar (30-day member and day bars ≤ 200 ms; a member's year, recorded);
 *   - the first history page of the 5,000-interaction customer, p95 ≤ 50 ms.
 * The bulk load drops the dashboard triggers and secondary indexes, inserts, recreates the indexes
 * and recounts the counters with the same SQL the admin rebuild uses (trigger cost is measured
 * separately, per email copy inserted).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../../server/db/database";
import { ImpactReports } from "../../server/reports/impact";
import { httpClient, paneToken, startReportsApp } from "../../server/reports/test-kit";
import { atMost, percentile, timeMs, untargeted, type BenchResult, type BenchSuite } from "../harness";
import { mulberry32 } from "../../shared/random";

const NOW = new Date("2025-06-01T12:00:00.000Z");
const DAY = 86_400_000;
const MEMBERS = 50;
const CUSTOMERS = 10_000;
const INTERACTIONS = 1_000_000;
const HEAVY_INTERACTIONS = 5_000;
const TENANT = "aaaaaaaa-0000-4000-8000-00000000be0c";


const pad = (n: number, w: number) => n.toString().padStart(w, "0");
const memberId = (i: number) => `00000000-0000-4000-9000-${pad(i, 12)}`;
const customerId = (i: number) => `10000000-0000-4000-9000-${pad(i, 12)}`;
const oid = (i: number) => `00000000-0000-4000-8000-${pad(i, 12)}`;

interface Built {
  db: Db;
  file: string;
  orgId: string;
  heavyCustomer: string;
  counts: { interactions: number; messages: number; teamRows: number };
  buildSeconds: number;
}

/** REPORTS_BENCH_DB=/path/file.db keeps the database (and reuses it when it exists): for studying query plans. */
const KEEP = process.env.REPORTS_BENCH_DB;

function build(): Built {
  const started = Date.now();
  const file = KEEP ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "reports-bench-")), "bench.db");
  const orgIdKept = "org-bench";
  if (KEEP && fs.existsSync(KEEP)) {
    const db = openDatabase(KEEP);
    const n = (db.prepare("SELECT COUNT(*) AS n FROM interactions").get() as { n: number }).n;
    const m = (db.prepare("SELECT COUNT(*) AS n FROM interaction_messages").get() as { n: number }).n;
    const t = (db.prepare("SELECT COUNT(*) AS n FROM interaction_team_members").get() as { n: number }).n;
    return { db, file, orgId: orgIdKept, heavyCustomer: customerId(0), counts: { interactions: n, messages: m, teamRows: t }, buildSeconds: 0 };
  }
  const db = openDatabase(file);
  db.pragma("synchronous = OFF");
  // A large page cache for the bulk load (index builds sort in memory).
  db.pragma("cache_size = -1000000");
  const orgId = "org-bench";
  const iso = (ms: number) => new Date(ms).toISOString();
  const created = iso(NOW.getTime() - 400 * DAY);
  const random = mulberry32(6);

  // Triggers and secondary indexes of the big tables come back after the load.
  const saved = db
    .prepare(
      `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND
        ((type = 'trigger' AND name LIKE 'report_%') OR (type = 'index' AND tbl_name IN ('interactions', 'interaction_messages', 'interaction_team_members')))`,
    )
    .all() as { type: string; name: string; sql: string }[];
  for (const s of saved) db.exec(`DROP ${s.type.toUpperCase()} ${s.name}`);

  const counts = { interactions: 0, messages: 0, teamRows: 0 };
  db.transaction(() => {
    db.prepare("INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)").run(orgId, "Bench Org", created);
    db.prepare("INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)").run("org-other", "Other Org", created);
    const member = db.prepare(`INSERT INTO team_members (id, organisation_id, external_id, name, primary_address, is_admin, entra_oid, entra_tid,
      created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (let m = 0; m < MEMBERS; m++) {
      member.run(memberId(m), orgId, `m${m}`, `Member ${pad(m, 2)}`, `member${m}@bench.example`, m === 0 ? 1 : 0, oid(m), TENANT, created, created);
    }
    const customer = db.prepare(`INSERT INTO customers (id, organisation_id, external_id, name, owner_member_id, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const user = db.prepare(`INSERT INTO users (id, organisation_id, external_id, name, address, customer_id, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (let c = 0; c < CUSTOMERS; c++) {
      const owner = c % 20 === 19 ? null : memberId(c % MEMBERS);
      customer.run(customerId(c), orgId, `ext-${c}`, `Customer ${pad(c, 5)} ${["Acme", "Globex", "Initech", "Umbrella", "Hooli"][c % 5]}`, owner, created, created);
      for (let u = 0; u < 3; u++) user.run(`${customerId(c)}-u${u}`, orgId, `u-${c}-${u}`, `Contact ${u} of ${c}`, `c${u}@customer${c}.example`, customerId(c), created, created);
    }

    const interaction = db.prepare(`INSERT INTO interactions (id, organisation_id, customer_id, kind, group_key, subject, first_at, last_at, end_at,
      message_count, last_direction, last_reply_at, cancelled, counted, via_domain, web_link, participants, team_member_ids, contact_user_ids,
      details_pending, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, 0, ?)`);
    const message = db.prepare(`INSERT INTO interaction_messages (interaction_id, organisation_id, member_id, graph_id, internet_message_id,
      message_key, at, direction, from_contact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const teamRow = db.prepare("INSERT INTO interaction_team_members (interaction_id, member_id, organisation_id) VALUES (?, ?, ?)");
    const activity = new Map<number, { last: string | null; reply: string | null; next: string | null }>();
    const nowMs = NOW.getTime();
    const nowIso = NOW.toISOString();

    for (let k = 0; k < INTERACTIONS; k++) {
      const c = k < HEAVY_INTERACTIONS ? 0 : 1 + Math.floor(random() * (CUSTOMERS - 1));
      const cid = customerId(c);
      const owner = c % MEMBERS;
      const other = (owner + 1 + Math.floor(random() * (MEMBERS - 1))) % MEMBERS;
      const two = random() < 0.2;
      const members = two ? [owner, other] : [owner];
      const id = `ix_${pad(k, 21)}`;
      const a = activity.get(c) ?? { last: null, reply: null, next: null };
      const contact = `c${k % 3}@customer${c}.example`;
      const people = JSON.stringify([
        { address: contact, name: `Contact ${k % 3} of ${c}`, kind: "contact", userId: `${cid}-u${k % 3}` },
        ...members.map((m) => ({ address: `member${m}@bench.example`, name: `Member ${pad(m, 2)}`, kind: "team_member", memberId: memberId(m) })),
      ]);
      const teamIds = JSON.stringify(members.map(memberId));
      if (random() < 0.7) {
        const lastMs = nowMs - Math.floor(random() * 365 * DAY);
        const n = 1 + Math.floor(random() * 4);
        let lastReply: string | null = null;
        let lastDirection: "sent" | "received" = "sent";
        const msgs: { at: string; dir: "sent" | "received"; contact: number }[] = [];
        for (let i = n - 1; i >= 0; i--) {
          const at = iso(lastMs - i * Math.floor(random() * 2 * DAY));
          const dir = random() < 0.55 ? "sent" : "received";
          const fromContact = dir === "received" && random() < 0.9 ? 1 : 0;
          if (fromContact && (lastReply === null || at > lastReply)) lastReply = at;
          lastDirection = dir;
          msgs.push({ at, dir, contact: fromContact });
        }
        interaction.run(id, orgId, cid, "email", `<${id}-0@bench>`, `Conversation ${k}`, msgs[0]!.at, msgs[n - 1]!.at, null, n, lastDirection, lastReply,
          0, 1, `https://outlook.office.com/mail/deeplink/read/${id}`, people, teamIds, `["${cid}-u${k % 3}"]`, nowIso);
        counts.interactions++;
        msgs.forEach((mm, i) => {
          const imid = `<${id}-${i}@bench>`;
          for (const m of members) {
            message.run(id, orgId, memberId(m), `g-${id}-${i}-${m}`, imid, `m:${imid}`, mm.at, mm.dir, mm.contact);
            counts.messages++;
          }
        });
        const last = msgs[n - 1]!.at;
        if (a.last === null || last > a.last) a.last = last;
        if (lastReply && (a.reply === null || lastReply > a.reply)) a.reply = lastReply;
      } else {
        const startMs = nowMs - Math.floor((random() * 395 - 30) * DAY);
        const start = iso(startMs);
        const cancelled = random() < 0.05 ? 1 : 0;
        interaction.run(id, orgId, cid, "meeting", `i:${id}`, `Meeting ${k}`, start, start, iso(startMs + 3_600_000), 0, null, null, cancelled,
          1 - cancelled, `https://outlook.office.com/calendar/item/${id}`, people, teamIds, `["${cid}-u${k % 3}"]`, nowIso);
        counts.interactions++;
        for (const m of members) {
          message.run(id, orgId, memberId(m), `e-${id}-${m}`, null, `i:${id}`, start, null, 0);
          counts.messages++;
        }
        if (!cancelled) {
          if (start <= nowIso && (a.last === null || start > a.last)) a.last = start;
          if (start > nowIso && (a.next === null || start < a.next)) a.next = start;
        }
      }
      for (const m of members) {
        teamRow.run(id, memberId(m), orgId);
        counts.teamRows++;
      }
      activity.set(c, a);
    }
    const act = db.prepare(`INSERT INTO customer_activity (customer_id, organisation_id, last_interaction_at, last_email_reply_at, next_meeting_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?)`);
    for (const [c, a] of activity) act.run(customerId(c), orgId, a.last, a.reply, a.next, nowIso);
  })();

  for (const s of saved.filter((x) => x.type === "index")) db.exec(s.sql);
  for (const s of saved.filter((x) => x.type === "trigger")) db.exec(s.sql);
  new ImpactReports(db).rebuild(orgId);
  db.pragma("synchronous = NORMAL");
  db.pragma("cache_size = -2000");
  db.pragma("wal_checkpoint(TRUNCATE)");
  return { db, file, orgId, heavyCustomer: customerId(0), counts, buildSeconds: (Date.now() - started) / 1000 };
}

/** CPU milliseconds of this process per request (client + server run here), next to the wall times. */
const cpuSamples = new Map<number[], number[]>();

async function samples(n: number, paths: string[], get: (p: string) => Promise<{ status: number; text: string }>): Promise<number[]> {
  const out: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = paths[i % paths.length]!;
    const before = process.cpuUsage();
    const { ms, result } = await timeMs(() => get(p));
    const used = process.cpuUsage(before);
    if (result.status !== 200) throw new Error(`${p} answered ${result.status}: ${result.text.slice(0, 300)}`);
    out.push(ms);
    cpu.push((used.user + used.system) / 1000);
  }
  cpuSamples.set(out, cpu);
  return out;
}

/** "CPU p95 12.3 ms; load 1.2": the machine is shared, so a wall time is read with these. */
function context(wall: number[]): string {
  const cpu = cpuSamples.get(wall) ?? [];
  return `CPU p95 ${percentile(cpu, 95).toFixed(1)} ms; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`;
}

/** Microseconds per email copy insert with and without the dashboard triggers. */
function triggerCost(b: Built): { withTriggers: number; without: number } {
  const { db, orgId } = b;
  const run = (label: string) => {
    const id = `ix_trigger_probe_${label}`;
    const rows = 20_000;
    db.prepare(`INSERT INTO interactions (id, organisation_id, customer_id, kind, group_key, first_at, last_at, message_count, updated_at)
      VALUES (?, ?, ?, 'email', ?, ?, ?, ?, ?)`).run(id, orgId, customerId(1), id, NOW.toISOString(), NOW.toISOString(), rows, NOW.toISOString());
    const ins = db.prepare(`INSERT INTO interaction_messages (interaction_id, organisation_id, member_id, graph_id, internet_message_id, message_key, at,
      direction, from_contact) VALUES (?, ?, ?, ?, ?, ?, ?, 'sent', 0)`);
    const started = process.hrtime.bigint();
    db.transaction(() => {
      for (let i = 0; i < rows; i++) {
        const imid = `<probe-${label}-${i >> 1}@bench>`;
        ins.run(id, orgId, memberId(i % 2), `probe-${label}-${i}`, imid, `m:${imid}`, new Date(NOW.getTime() - (i % 30) * DAY).toISOString());
      }
    })();
    const us = Number(process.hrtime.bigint() - started) / 1e3 / rows;
    db.prepare("DELETE FROM interactions WHERE id = ?").run(id);
    return us;
  };
  const withTriggers = run("on");
  const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report_%'").all() as { name: string; sql: string }[];
  for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
  const without = run("off");
  for (const t of triggers) db.exec(t.sql);
  return { withTriggers, without };
}

const suite: BenchSuite = {
  name: "reports",
  async run(): Promise<BenchResult[]> {
    const b = build();
    const results: BenchResult[] = [];
    const app = await startReportsApp({ db: b.db, now: () => NOW });
    try {
      const http = httpClient(app.url);
      const token = paneToken(TENANT, oid(1));
      const get = (p: string) => http.get(p, token);
      const sizes = `${b.counts.interactions.toLocaleString("en-US")} interactions, ${b.counts.messages.toLocaleString("en-US")} message copies, ${CUSTOMERS.toLocaleString("en-US")} customers; built in ${b.buildSeconds.toFixed(0)} s`;

      // Customer list: every sort and order, with and without each filter, first and deep pages.
      const listPaths: string[] = [];
      for (const sort of ["last_interaction", "last_email_reply", "name"]) {
        for (const order of ["desc", "asc"]) {
          for (const filter of ["", "&owner=me", "&quietDays=30", "&owner=me&quietDays=60", "&q=acme", "&owner=none", "&page=50"]) {
            listPaths.push(`/api/customers?sort=${sort}&order=${order}${filter}`);
          }
        }
      }
      await samples(20, listPaths, get); // warm-up: statement cache, page cache
      const list = await samples(listPaths.length * 4, listPaths, get);
      results.push(
        atMost("customer list sorted + filtered, p95", percentile(list, 95), "ms", 50, `${listPaths.length} variants × 4; median ${percentile(list, 50).toFixed(1)} ms; ${context(list)}; ${sizes}`),
      );
      const csv = await timeMs(() => get("/api/customers?format=csv"));
      results.push(untargeted("customer list CSV export (all 10,000)", csv.ms, "ms"));

      // Dashboard aggregates.
      await samples(5, ["/api/impact"], get);
      const dash30 = await samples(40, ["/api/impact"], get);
      results.push(atMost("Impact dashboard, last 30 days, p95", percentile(dash30, 95), "ms", 200, `over ${b.counts.interactions.toLocaleString("en-US")} interactions; ${context(dash30)}`));
      const dashYear = await samples(20, ["/api/impact?from=2024-06-02&to=2025-06-01"], get);
      results.push(atMost("Impact dashboard, 365 days, p95", percentile(dashYear, 95), "ms", 200, context(dashYear)));
      const drillPaths = [
        `/api/impact/drilldown?member=${memberId(3)}&kind=email`,
        `/api/impact/drilldown?member=${memberId(7)}&kind=meeting`,
        "/api/impact/drilldown?day=2025-05-20&kind=email",
        "/api/impact/drilldown?day=2025-05-21",
      ];
      await samples(4, drillPaths, get);
      const drill = await samples(40, drillPaths, get);
      results.push(atMost("drill-down of one bar (member or day, 30 days), first page, p95", percentile(drill, 95), "ms", 200, context(drill)));
      // A member's bar over a whole year (the dashboard's long periods): every copy of the year is grouped for the total and the order.
      const yearDrillPaths = [`/api/impact/drilldown?from=2024-06-02&to=2025-06-01&member=${memberId(3)}`, `/api/impact/drilldown?from=2024-06-02&to=2025-06-01&member=${memberId(8)}&kind=email`];
      await samples(2, yearDrillPaths, get);
      const drillYear = await samples(10, yearDrillPaths, get);
      results.push(
        untargeted(
          "drill-down of one member's bar over 365 days, first page, p95",
          percentile(drillYear, 95),
          "ms",
          `about 41,000 message copies and 3,000 meetings behind the bar; median ${percentile(drillYear, 50).toFixed(1)} ms; ${context(drillYear)}`,
        ),
      );

      // The heavy customer's profile page.
      const heavy = b.heavyCustomer;
      const historyPaths = [`/api/customers/${heavy}/history`, `/api/customers/${heavy}/history?tab=interactions`];
      await samples(4, historyPaths, get);
      const hist = await samples(60, historyPaths, get);
      results.push(atMost("history first page, customer with 5,000 interactions, p95", percentile(hist, 95), "ms", 50, context(hist)));
      await samples(3, [`/api/customers/${heavy}`, `/api/customers/${heavy}/activity`], get);
      const profile = await samples(30, [`/api/customers/${heavy}`], get);
      results.push(atMost("profile of that customer, p95", percentile(profile, 95), "ms", 50, context(profile)));
      const act = await samples(30, [`/api/customers/${heavy}/activity`], get);
      results.push(atMost("relationship activity of that customer, p95", percentile(act, 95), "ms", 50, context(act)));

      const cost = triggerCost(b);
      results.push(
        untargeted("dashboard triggers: cost per email copy written", cost.withTriggers - cost.without, "µs", `${cost.withTriggers.toFixed(1)} µs with, ${cost.without.toFixed(1)} µs without`),
      );
    } finally {
      await app.close();
      b.db.close();
      if (!KEEP) fs.rmSync(path.dirname(b.file), { recursive: true, force: true });
    }
    return results;
  },
};

export default suite;
