/**
 * Query-string validation for the reports API: zod schemas over Express's query object, and a
 * parser that turns the first problem into a 400 naming the parameter (unknown parameters too, so
 * a typo like ?sortBy= is reported instead of silently ignored).
 */
import { z } from "zod";
import { badRequest, HttpError } from "../api/errors";
import { isValidDay } from "./time";

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw badRequest("Invalid query parameters");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    return fail(`Unknown parameter "${key}"`, key);
  }
  const field = issue.path.map(String).join(".");
  // Express gives an array for a repeated parameter (?sort=a&sort=b).
  const message = issue.code === "invalid_type" && issue.expected === "string" ? "must be given once, as text" : issue.message;
  return fail(field ? `${field}: ${message}` : message, field || undefined);
}

function fail(message: string, field?: string): never {
  throw badRequest(message, field) as HttpError;
}

/** A whole number in [min, max], from query text. */
export const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

export const dayParam = z.string().refine(isValidDay, { error: "must be a date like 2024-06-30" });

export const formatParam = z.enum(["json", "csv"], { error: 'must be "json" or "csv"' }).default("json");
