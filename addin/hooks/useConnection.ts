import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ConnectionStatus } from "../../shared/api/contract";
import type { PaneServices } from "../services";
import { START_LABEL, checkDelayMs, connectionView } from "../logic/connection";
import { ConnectionWatch } from "../logic/connection-watch";
import type { DialogOutcome } from "../office/dialog";

export type ConnectionBusy = "authenticate" | "revoke" | "sync" | null;

export interface Notice {
  tone: "success" | "info" | "warning" | "error";
  text: string;
}

export interface ConnectionController {
  status: ConnectionStatus | null;
  problem: unknown;
  busy: ConnectionBusy;
  notice: Notice | null;
  refresh(): Promise<void>;
  authenticate(): Promise<void>;
  revoke(): Promise<void>;
  syncNow(): Promise<void>;
}

/** Success notices ("Connected …") go after this long: the card shows the lasting state. */
export const SUCCESS_NOTICE_MS = 8000;

/** How long a notice stays (null: until the next action replaces it). */
export function noticeLifetimeMs(notice: Notice | null): number | null {
  return notice?.tone === "success" ? SUCCESS_NOTICE_MS : null;
}

/**
 * A notice is about the action that led to the state on screen ("Connected …", "Access revoked."): once a check
 * finds another state (the connection was lost, or connected elsewhere), it would contradict the card.
 */
export function staleNotice(shown: ConnectionStatus | null, checked: ConnectionStatus): boolean {
  return shown !== null && shown.state !== checked.state;
}

/**
 * The authentication dialog's result in plain words, given the status read right after it (`status`) and the
 * label of the button that starts authentication again (`startLabel`).
 */
export function outcomeNotice(outcome: DialogOutcome, status: ConnectionStatus | null = null, startLabel: string = START_LABEL): Notice | null {
  switch (outcome.kind) {
    case "message":
      if (outcome.status === "connected") return { tone: "success", text: outcome.message ?? "Connected. Your emails and meetings will start syncing shortly." };
      if (outcome.status === "admin_consent_required") {
        // The card says what admin approval means and shows the approval link once; the server's words
        // would repeat both.
        if (status?.state === "admin_consent_required" && status.adminConsentUrl) return null;
        return outcome.message ? { tone: "warning", text: outcome.message } : null;
      }
      return { tone: "error", text: outcome.message ?? `Authentication didn't finish. ${startLabel} to try again.` };
    case "closed":
      return { tone: "info", text: `The sign-in window was closed before it finished. ${startLabel} when you're ready.` };
    case "failed":
      return { tone: "error", text: outcome.message };
  }
}

export function useConnection(services: PaneServices): ConnectionController {
  const { api, openAuthDialog, mailbox } = services;
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState<ConnectionBusy>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const mounted = useRef(true);
  /** Bumped when an action starts: a check that was already under way must not overwrite its answer. */
  const epoch = useRef(0);
  /** "Sync now" was clicked at `at`, when the last sync was `lastSyncAt`: checked often until that changes. */
  const [syncRequested, setSyncRequested] = useState<{ at: number; lastSyncAt: string | null } | null>(null);
  const statusRef = useRef<ConnectionStatus | null>(null);
  statusRef.current = status;

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    const started = epoch.current;
    try {
      const next = await api.connection();
      if (!mounted.current || epoch.current !== started) return;
      if (staleNotice(statusRef.current, next)) setNotice(null);
      setStatus(next);
      setProblem(null);
    } catch (error) {
      if (mounted.current && epoch.current === started) setProblem(error);
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Re-check now and then, on selection changes, and while syncs run (logic/connection-watch.ts).
  const watch = useMemo(() => new ConnectionWatch(refresh), [refresh]);
  useEffect(() => {
    watch.start();
    return () => watch.stop();
  }, [watch]);
  useEffect(() => mailbox.onChange(() => watch.nudge()), [mailbox, watch]);
  useEffect(() => watch.pause(busy !== null), [busy, watch]);

  const followingSync = syncRequested !== null && status !== null && status.lastSyncAt === syncRequested.lastSyncAt && status.state !== "connection_lost";
  useEffect(() => {
    if (syncRequested && !followingSync) setSyncRequested(null);
  }, [syncRequested, followingSync]);
  useEffect(() => {
    watch.setDelay(checkDelayMs(status, new Date(), followingSync ? syncRequested.at : null));
  }, [status, followingSync, syncRequested, watch]);

  // "Connected …" fades once read: the card keeps showing the state (no second green bar).
  useEffect(() => {
    const lifetime = noticeLifetimeMs(notice);
    if (lifetime === null) return;
    const timer = window.setTimeout(() => setNotice((current) => (current === notice ? null : current)), lifetime);
    return () => window.clearTimeout(timer);
  }, [notice]);

  const applyStatus = useCallback(
    (next: ConnectionStatus) => {
      setStatus(next);
      watch.checked();
    },
    [watch],
  );

  const run = useCallback(
    async (kind: Exclude<ConnectionBusy, null>, action: () => Promise<void>) => {
      epoch.current++;
      setBusy(kind);
      setNotice(null);
      try {
        await action();
        setProblem(null);
      } catch (error) {
        if (mounted.current) setProblem(error);
      } finally {
        if (mounted.current) setBusy(null);
      }
    },
    [],
  );

  const authenticate = useCallback(
    () =>
      run("authenticate", async () => {
        const before = statusRef.current;
        const startLabel = before ? connectionView(before).startLabel : START_LABEL;
        const { url } = await api.startAuthSession();
        const outcome = await openAuthDialog(url);
        if (!mounted.current) return;
        const next = await api.connection();
        if (!mounted.current) return;
        applyStatus(next);
        setNotice(outcomeNotice(outcome, next, startLabel));
      }),
    [api, openAuthDialog, run, applyStatus],
  );

  const revoke = useCallback(
    () =>
      run("revoke", async () => {
        const next = await api.revoke();
        if (!mounted.current) return;
        applyStatus(next);
        setNotice({ tone: "info", text: "Access revoked. Startdeliver no longer reads your mailbox; interactions already synced stay in Startdeliver." });
      }),
    [api, run, applyStatus],
  );

  const syncNow = useCallback(
    () =>
      run("sync", async () => {
        const next = await api.syncNow();
        if (!mounted.current) return;
        applyStatus(next);
        setSyncRequested({ at: Date.now(), lastSyncAt: next.lastSyncAt });
        setNotice({ tone: "info", text: "Sync started. New emails and meetings appear in Startdeliver within a few minutes." });
      }),
    [api, run, applyStatus],
  );

  return { status, problem, busy, notice, refresh, authenticate, revoke, syncNow };
}
