import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ConnectionStatus } from "../../shared/api/contract";
import type { PaneServices } from "../services";
import { connectionView } from "../logic/connection";
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

export function outcomeNotice(outcome: DialogOutcome): Notice | null {
  switch (outcome.kind) {
    case "message":
      if (outcome.status === "connected") return { tone: "success", text: outcome.message ?? "Connected. Your emails and meetings will start syncing shortly." };
      // The card explains what admin approval means; the server's words add the specifics.
      if (outcome.status === "admin_consent_required") return outcome.message ? { tone: "warning", text: outcome.message } : null;
      return { tone: "error", text: outcome.message ?? "Authentication didn't finish. Click to start authentication to try again." };
    case "closed":
      return { tone: "info", text: "The sign-in window was closed before it finished. Click to start authentication when you're ready." };
    case "failed":
      return { tone: "error", text: outcome.message };
  }
}

export function useConnection(services: PaneServices): ConnectionController {
  const { api, openAuthDialog } = services;
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState<ConnectionBusy>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    try {
      const next = await api.connection();
      if (!mounted.current) return;
      setStatus(next);
      setProblem(null);
    } catch (error) {
      if (mounted.current) setProblem(error);
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Poll while the initial sync runs (and once a failing sync is due to retry).
  const pollAfterMs = useMemo(() => (status ? connectionView(status).pollAfterMs : null), [status]);
  useEffect(() => {
    if (pollAfterMs === null || busy) return;
    const timer = window.setTimeout(() => void refresh(), pollAfterMs);
    return () => window.clearTimeout(timer);
  }, [pollAfterMs, busy, status, refresh]);

  const run = useCallback(
    async (kind: Exclude<ConnectionBusy, null>, action: () => Promise<void>) => {
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
        const { url } = await api.startAuthSession();
        const outcome = await openAuthDialog(url);
        if (!mounted.current) return;
        setNotice(outcomeNotice(outcome));
        setStatus(await api.connection());
      }),
    [api, openAuthDialog, run],
  );

  const revoke = useCallback(
    () =>
      run("revoke", async () => {
        const next = await api.revoke();
        if (!mounted.current) return;
        setStatus(next);
        setNotice({ tone: "info", text: "Access revoked. Startdeliver no longer reads your mailbox; interactions already synced stay in Startdeliver." });
      }),
    [api, run],
  );

  const syncNow = useCallback(
    () =>
      run("sync", async () => {
        const next = await api.syncNow();
        if (!mounted.current) return;
        setStatus(next);
        setNotice({ tone: "info", text: "Sync started. New emails and meetings appear in Startdeliver within a few minutes." });
      }),
    [api, run],
  );

  return { status, problem, busy, notice, refresh, authenticate, revoke, syncNow };
}
