import { Body1, Button, Spinner, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import { ProblemNotice } from "./ProblemNotice";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM, alignItems: "flex-start" },
});

export interface SignInPanelProps {
  busy: boolean;
  problem: unknown;
  onSignIn: () => void;
}

/** Before anything else: the pane needs to know which Startdeliver team member is using it. */
export function SignInPanel({ busy, problem, onSignIn }: SignInPanelProps) {
  const styles = useStyles();
  return (
    <section className={styles.root} aria-labelledby="signin-heading">
      <Subtitle2 as="h2" id="signin-heading">
        Sign in to Startdeliver
      </Subtitle2>
      <Body1>Sign in with your work account so the pane can show your Startdeliver connection, settings and customers.</Body1>
      {problem !== null && problem !== undefined && <ProblemNotice error={problem} />}
      <Button appearance="primary" onClick={onSignIn} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
        Sign in
      </Button>
    </section>
  );
}
