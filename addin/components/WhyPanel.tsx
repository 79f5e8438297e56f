import { Button, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Fix, OpenMessage, WhyResponse } from "../../shared/api/contract";
import type { ApiClient } from "../api/client";
import type { ConnectionController, Notice } from "../hooks/useConnection";
import type { SettingsController } from "../hooks/useSettings";
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
  connection: Pick<ConnectionController, "authenticate" | "syncNow">;
  settings: Pick<SettingsController, "addAlias" | "setToggle">;
  onOpenUrl: (url: string) => void;
  onSignIn: () => void;
}

/** "Why wasn't this synced?": asks the server, shows the reasons, and applies a fix then checks again. */
export function WhyPanel({ api, message, connection, settings, onOpenUrl, onSignIn }: WhyPanelProps) {
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

  const check = useCallback(async () => {
    const asked = key;
    setLoading(true);
    setProblem(null);
    try {
      const result = await api.why({ internetMessageId: message.internetMessageId, restId: message.restId });
      if (current.current === asked) setWhy(result);
    } catch (error) {
      if (current.current === asked) setProblem(error);
    } finally {
      if (current.current === asked) setLoading(false);
    }
  }, [api, key, message.internetMessageId, message.restId]);

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
