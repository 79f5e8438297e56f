import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { describeProblem } from "../logic/problems";

export interface ProblemNoticeProps {
  error: unknown;
  onSignIn?: () => void;
  onRetry?: () => void;
}

/** A failure in plain words, with the next step as a button when there is one. */
export function ProblemNotice({ error, onSignIn, onRetry }: ProblemNoticeProps) {
  const view = describeProblem(error);
  const action =
    view.next === "sign_in" && onSignIn ? (
      <Button size="small" onClick={onSignIn}>
        Sign in again
      </Button>
    ) : view.next === "retry" && onRetry ? (
      <Button size="small" onClick={onRetry}>
        Try again
      </Button>
    ) : null;
  return (
    <div role="alert">
      <MessageBar intent={view.next === "sign_in" ? "warning" : "error"} layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{view.title}</MessageBarTitle> {view.message}
        </MessageBarBody>
        {action && <MessageBarActions>{action}</MessageBarActions>}
      </MessageBar>
    </div>
  );
}
