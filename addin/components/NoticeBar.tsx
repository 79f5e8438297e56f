import { MessageBar, MessageBarBody, makeStyles } from "@fluentui/react-components";
import type { Notice } from "../hooks/useConnection";

const useStyles = makeStyles({
  // Server messages can carry long URLs (the admin-consent link): wrap them instead of widening the pane.
  body: { overflowWrap: "anywhere", minWidth: 0 },
});

/** A short result message, announced politely to screen readers. */
export function NoticeBar({ notice }: { notice: Notice | null }) {
  const styles = useStyles();
  return (
    <div role="status" aria-live="polite">
      {notice && (
        <MessageBar intent={notice.tone} layout="multiline">
          <MessageBarBody className={styles.body}>{notice.text}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
