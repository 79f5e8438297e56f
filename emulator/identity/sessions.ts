import type { Request, Response } from "express";
import type { EmulatedUser } from "../state";
import type { Directory } from "./directory";
import { randomHandle } from "./util";

/** Entra's persistent SSO cookie is ESTSAUTHPERSISTENT; the emulator's own name avoids confusion in devtools. */
export const SESSION_COOKIE = "emu_estsauth";

interface SessionAccount {
  oid: string;
  authTime: number;
  epoch: number;
}

interface Session {
  id: string;
  accounts: Map<string, SessionAccount>;
}

/**
 * Browser sign-in sessions (SSO): what lets prompt=none and a second sign-in skip the page.
 * A password change (revocation) ends the user's sessions, like AADSTS50133 does.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly directory: Directory) {}

  /** Signed-in users of the browser's session whose sign-in was not revoked since. */
  accounts(req: Request): Array<{ user: EmulatedUser; authTime: number; epoch: number }> {
    const session = this.find(req);
    if (!session) return [];
    const out: Array<{ user: EmulatedUser; authTime: number; epoch: number }> = [];
    for (const a of session.accounts.values()) {
      const user = this.directory.user(a.oid);
      if (user && a.epoch === this.directory.revocationEpoch(a.oid)) out.push({ user, authTime: a.authTime, epoch: a.epoch });
    }
    return out;
  }

  /** Adds the user to the browser's session (creating it) and returns the session id. */
  signIn(req: Request, res: Response, user: EmulatedUser, authTime: number): string {
    let session = this.find(req);
    if (!session) {
      session = { id: randomHandle(24), accounts: new Map() };
      this.sessions.set(session.id, session);
    }
    session.accounts.set(user.oid, { oid: user.oid, authTime, epoch: this.directory.revocationEpoch(user.oid) });
    res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, secure: true, sameSite: "none", path: "/" });
    return session.id;
  }

  signOut(req: Request, res: Response): void {
    const session = this.find(req);
    if (session) this.sessions.delete(session.id);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: "none", path: "/" });
  }

  count(): number {
    return this.sessions.size;
  }

  private find(req: Request): Session | undefined {
    const id = readCookie(req, SESSION_COOKIE);
    return id ? this.sessions.get(id) : undefined;
  }
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Sign-in and consent pages in progress, keyed by the opaque ctx the page posts back. */
export class PendingStore<T> {
  private readonly items = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly lifetimeMs = 3600_000,
  ) {}

  put(value: T): string {
    const now = this.now();
    for (const [k, v] of this.items) if (v.expiresAt < now) this.items.delete(k);
    const id = randomHandle(24);
    this.items.set(id, { value, expiresAt: now + this.lifetimeMs });
    return id;
  }

  get(id: string): T | undefined {
    const item = this.items.get(id);
    return item && item.expiresAt >= this.now() ? item.value : undefined;
  }

  delete(id: string): void {
    this.items.delete(id);
  }
}
