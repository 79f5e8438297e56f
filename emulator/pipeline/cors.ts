import type { NextFunction, Request, Response } from "express";

/**
 * Graph serves browsers too (the task pane may call it directly): preflights are answered without
 * authentication, and actual responses name the caller's origin and expose the headers clients
 * read (request ids, Retry-After, Location, ETag).
 */
const EXPOSED = [
  "ETag",
  "Location",
  "Preference-Applied",
  "Content-Range",
  "request-id",
  "client-request-id",
  "Retry-After",
  "WWW-Authenticate",
  "SdkVersion",
].join(", ");

export function cors(req: Request, res: Response, next: NextFunction): void {
  const origin = req.headers.origin;
  if (!origin) return next();
  res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Vary", "Origin");
  res.setHeader("Access-Control-Expose-Headers", EXPOSED);
  if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    const requested = req.headers["access-control-request-headers"];
    if (requested) res.setHeader("Access-Control-Allow-Headers", requested);
    res.setHeader("Access-Control-Max-Age", "3600");
    res.status(200).end();
    return;
  }
  next();
}
