/**
 * `npm run import -- team.csv customers.csv users.csv [--org <id>] [--org-name <name>] [--db <path>]`
 *
 * Imports directory CSVs with the same validation as the REST API, all files in one transaction:
 * any problem in any row and nothing is saved. Each file's kind is recognised from its header
 * (primaryAddress → team members, customerExternalId → users, otherwise customers). Multi-value
 * cells (domains, aliases) are separated by ";". See docs/samples/ for examples.
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { databasePathFromEnv } from "../config";
import { openDatabase, type Db } from "../db/database";
import { HttpError } from "../api/errors";
import { listOrganisations } from "./read";
import { createOrganisation, rotateApiKey, upsertCustomers, upsertTeamMembers, upsertUsers, type Collection } from "./service";
import type { UpsertResult } from "./schemas";

type Row = Record<string, string>;

export interface ImportFile {
  file: string;
  kind: Collection;
  rows: Row[];
}

export function readCsv(file: string): ImportFile {
  const rows = parse(fs.readFileSync(file, "utf8"), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Row[];
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const kind: Collection = header.includes("primaryAddress") ? "teamMembers" : header.includes("customerExternalId") ? "users" : "customers";
  return { file, kind, rows };
}

const list = (v: string | undefined) => (v ?? "").split(/[;\n]/).map((s) => s.trim()).filter(Boolean);
const optional = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
function bool(v: string | undefined): boolean | string | undefined {
  const s = optional(v)?.toLowerCase();
  if (s === undefined) return undefined;
  if (["true", "yes", "1", "y"].includes(s)) return true;
  if (["false", "no", "0", "n"].includes(s)) return false;
  return v; // left as text so validation names the field
}

/** CSV cells → the API's row shapes (empty cells mean "not given"). */
export function toApiRow(kind: Collection, r: Row): Record<string, unknown> {
  const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  if (kind === "teamMembers") {
    return strip({
      externalId: r.externalId,
      name: r.name,
      primaryAddress: r.primaryAddress,
      isAdmin: bool(r.isAdmin),
      aliases: r.aliases === undefined ? undefined : list(r.aliases),
      entraObjectId: optional(r.entraObjectId),
      entraTenantId: optional(r.entraTenantId),
    });
  }
  if (kind === "customers") {
    return strip({
      externalId: r.externalId,
      name: r.name,
      ownerAddress: optional(r.ownerAddress),
      domains: r.domains === undefined ? undefined : list(r.domains),
    });
  }
  return strip({ externalId: r.externalId, name: r.name ?? "", address: r.address, customerExternalId: r.customerExternalId, createdAt: optional(r.createdAt) });
}

const ORDER: Collection[] = ["teamMembers", "customers", "users"];

/** Imports in dependency order inside one transaction; throws HttpError (with rows) on the first bad file. */
export function importFiles(db: Db, organisationId: string, files: ImportFile[]): { file: string; kind: Collection; result: UpsertResult }[] {
  const sorted = [...files].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const fns = { teamMembers: upsertTeamMembers, customers: upsertCustomers, users: upsertUsers };
  return db.transaction(() =>
    sorted.map((f) => {
      try {
        return { file: f.file, kind: f.kind, result: fns[f.kind](db, organisationId, f.rows.map((r) => toApiRow(f.kind, r))) };
      } catch (err) {
        if (err instanceof HttpError) (err as HttpError & { file?: string }).file = f.file;
        throw err;
      }
    }),
  )();
}

function parseArgs(argv: string[]): { files: string[]; org?: string; orgName?: string; db?: string } {
  const out: { files: string[]; org?: string; orgName?: string; db?: string } = { files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--org") out.org = argv[++i];
    else if (a === "--org-name") out.orgName = argv[++i];
    else if (a === "--db") out.db = argv[++i];
    else if (a.startsWith("--")) throw new Error(`Unknown option ${a}`);
    else out.files.push(a);
  }
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.files.length === 0) {
    console.error("Usage: npm run import -- team.csv customers.csv users.csv [--org <id>] [--org-name <name>] [--db <path>]");
    return 2;
  }
  const dbPath = args.db ?? (await databasePathFromEnv());
  const db = openDatabase(dbPath);
  try {
    let orgId = args.org;
    if (!orgId) {
      const orgs = listOrganisations(db);
      if (orgs.length > 1) {
        console.error(`The database has ${orgs.length} organisations; choose one with --org:\n${orgs.map((o) => `  ${o.id}  ${o.name}`).join("\n")}`);
        return 2;
      }
      if (orgs.length === 1) orgId = orgs[0]!.id;
      else {
        orgId = createOrganisation(db, args.orgName ?? "My organisation");
        const key = rotateApiKey(db, orgId);
        console.log(`Created organisation ${orgId}. Its API key (shown once): ${key}`);
      }
    }
    const files = args.files.map((f) => readCsv(path.resolve(f)));
    for (const r of importFiles(db, orgId, files)) {
      console.log(`${path.basename(r.file)} (${r.kind}): ${r.result.created} created, ${r.result.updated} updated`);
    }
    return 0;
  } catch (err) {
    if (err instanceof HttpError) {
      const file = (err as HttpError & { file?: string }).file;
      console.error(`${file ? path.basename(file) + ": " : ""}${err.message}`);
      // CSV line = row index + 2 (header is line 1).
      for (const r of err.rows ?? []) console.error(`  line ${r.index + 2}, ${r.field}: ${r.message}`);
      console.error("Nothing was imported.");
      return 1;
    }
    throw err;
  } finally {
    db.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().then((code) => process.exit(code), (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
