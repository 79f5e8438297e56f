import { MessageBar, MessageBarBody } from "@fluentui/react-components";
import type { Notice } from "../hooks/useConnection";

/** A short result message, announced politely to screen readers. */
export function NoticeBar({ notice }: { notice: Notice | null }) {
  return (
    <div role="status" aria-live="polite">
      {notice && (
        <MessageBar intent={notice.tone} layout="multiline">
          <MessageBarBody>{notice.text}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
