import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { useEffect, useRef } from "react";

export interface RevokeConfirmationProps {
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * Asks before revoking, inline under the headline rather than in a modal dialog: the pane is narrow, and
 * leaving Fluent's Dialog out keeps the pane within its size budget.
 */
export function RevokeConfirmation({ onConfirm, onCancel }: RevokeConfirmationProps) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    confirmRef.current?.focus();
  }, []);
  return (
    <div
      id="revoke-confirmation"
      role="group"
      aria-labelledby="revoke-confirmation-title"
      onKeyDown={(event) => {
        if (event.key === "Escape") onCancel();
      }}
    >
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle id="revoke-confirmation-title">Revoke access?</MessageBarTitle> Startdeliver will stop syncing your emails and
          meetings. Interactions that already synced stay in Startdeliver, and you can authenticate again at any time.
        </MessageBarBody>
        <MessageBarActions>
          <Button ref={confirmRef} size="small" appearance="primary" onClick={onConfirm}>
            Revoke access
          </Button>
          <Button size="small" onClick={onCancel}>
            Cancel
          </Button>
        </MessageBarActions>
      </MessageBar>
    </div>
  );
}
