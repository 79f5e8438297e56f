/**
 * What every data handler gets: the caller's mailbox, how ids are requested, the parsed query and
 * the base URL links are written with.
 */
import type { Request, Response } from "express";
import type { GraphKnobs } from "./knobs";
import type { QueryOptions } from "./odata/query";
import type { MailboxStore } from "./store/mailbox-store";
import type { Mailbox } from "./store/types";

/** res.locals.graph as the pipeline sets it. */
export interface GraphLocals {
  tenantId: string;
  userId: string;
  clientId: string;
  immutableIds: boolean;
}

export interface GraphContext {
  req: Request;
  res: Response;
  store: MailboxStore;
  knobs: GraphKnobs;
  /** https://host:port (no trailing slash, no version). */
  baseUrl: string;
  now: () => number;
  mailbox: Mailbox;
  /** "me" or "users/{id}" — links repeat the form the caller used. */
  selfPath: string;
  immutableIds: boolean;
  query: QueryOptions;
}

export function v1(ctx: Pick<GraphContext, "baseUrl">, path: string): string {
  return `${ctx.baseUrl}/v1.0/${path}`;
}

export function metadata(ctx: Pick<GraphContext, "baseUrl">, fragment: string): string {
  return `${ctx.baseUrl}/v1.0/$metadata#${fragment}`;
}

/** Deterministic coin flip from a token string: the same request always gets the same quirk. */
export function chance(seedText: string, probability: number): boolean {
  if (probability <= 0) return false;
  if (probability >= 1) return true;
  let h = 2166136261;
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 16777619);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296 < probability;
}
