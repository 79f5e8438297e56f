import { Button, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Fix, OpenMessage, WhyResponse } from "../../shared/api/contract";
import type { ApiClient } from "../api/client";
import type { ConnectionController, Notice } from "../hooks/useConnection";
import type { SettingsController } from "../hooks/useSettings";
import { versionChanged } from "../logic/connection";
import { messageKey } from "../office/mailbox";
import { NoticeBar } from "./NoticeBar";
import { ProblemNotice } from "./ProblemNotice";
import { WhyResult } from "./WhyResult";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, alignItems: "stretch" },
  start: { alignSelf: "flex-start" },
});

export interface WhyPanelProps {
  api: ApiClient;
  message: OpenMessage;
  /** The connection's data version (logic/connection.ts dataVersion): a shown answer is checked again when it changes. */
  version?: string | null;
  connection: Pick<ConnectionController, "authenticate" | "syncNow">;
  settings: Pick<SettingsController, "addAlias" | "setToggle">;
  onOpenUrl: (url: string) => void;
  onSignIn: () => void;
}

/** "Why wasn't this synced?": asks the server, shows the reasons, and applies a fix then checks again. */
export function WhyPanel({ api, message, version = null, connection, settings, onOpenUrl, onSignIn }: WhyPanelProps) {
  const styles = useStyles();
  const [why, setWhy] = useState<WhyResponse | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [applying, setApplying] = useState<number | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [awaitingContact, setAwaitingContact] = useState(false);
  const key = messageKey(message);
  const current = useRef(key);

  // A different message: forget the previous answer.
  useEffect(() => {
    current.current = key;
    setWhy(null);
    setProblem(null);
    setNotice(null);
    setAwaitingContact(false);
  }, [key]);

  /** quiet: the answer on screen stays until the new one arrives, and a failure keeps it. */
  const check = useCallback(
    async (quiet = false) => {
      const asked = key;
      if (!quiet) {
        setLoading(true);
        setProblem(null);
      }
      try {
        const result = await api.why({ internetMessageId: message.internetMessageId, restId: message.restId });
        if (current.current === asked) setWhy(result);
      } catch (error) {
        if (current.current === asked && !quiet) setProblem(error);
      } finally {
        if (current.current === asked && !quiet) setLoading(false);
      }
    },
    [api, key, message.internetMessageId, message.restId],
  );

  // The connection changed or a sync finished: a shown answer may be out of date. Not while a fix is being
  // applied (it checks again itself) or a check is running.
  const busyRef = useRef(false);
  busyRef.current = loading || applying !== null;
  const shown = useRef(false);
  shown.current = why !== null;
  const lastVersion = useRef(version);
  useEffect(() => {
    const before = lastVersion.current;
    lastVersion.current = version;
    if (versionChanged(before, version) && shown.current && !busyRef.current) void check(true);
  }, [version, check]);

  const applyFix = useCallback(
    async (fix: Fix, index: number) => {
      setApplying(index);
      setNotice(null);
      try {
        switch (fix.kind) {
          case "add_alias":
            if (!(await settings.addAlias(fix.address))) {
              setNotice({ tone: "error", text: `${fix.address} couldn't be added. See Settings for details.` });
              return;
            }
            break;
          case "enable_setting":
            if (!(await settings.setToggle(fix.setting, true))) {
              setNotice({ tone: "error", text: "The setting couldn't be saved. See Settings for details." });
              return;
            }
            break;
          case "add_contact":
            if (fix.customerUrl) onOpenUrl(fix.customerUrl);
            setAwaitingContact(true);
            setNotice({ tone: "info", text: `When you've added ${fix.address} as a contact in Startdeliver, check again.` });
            return;
          case "authenticate":
            await connection.authenticate();
            break;
          case "sync_now":
            await connection.syncNow();
            break;
        }
        await check();
      } finally {
        setApplying(null);
      }
    },
    [check, connection, onOpenUrl, settings],
  );

  return (
    <section className={styles.root} aria-label="Why wasn't this synced?" aria-busy={loading}>
      {!why && !loading && (
        <Button className={styles.start} onClick={() => void check()}>
          Why wasn't this synced?
        </Button>
      )}
      {loading && <Spinner size="small" label="Checking this email…" />}
      {problem !== null && <ProblemNotice error={problem} onRetry={() => void check()} onSignIn={onSignIn} />}
      {why && !loading && (
        <>
          <WhyResult why={why} applying={applying} onApplyFix={(fix, i) => void applyFix(fix, i)} onOpenUrl={onOpenUrl} />
          <Button className={styles.start} appearance={awaitingContact ? "primary" : "subtle"} onClick={() => void check()} disabled={applying !== null}>
            Check again
          </Button>
        </>
      )}
      <NoticeBar notice={notice} />
    </section>
  );
}
