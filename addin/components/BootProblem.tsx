import { MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from "@fluentui/react-components";
import { Header } from "./Header";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL, padding: tokens.spacingHorizontalM },
});

/** The pane couldn't even start (no configuration from the server, or sign-in couldn't be set up). */
export function BootProblem({ message }: { message: string }) {
  const styles = useStyles();
  return (
    <main className={styles.root}>
      <Header />
      <div role="alert">
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Startdeliver can't start</MessageBarTitle> {message}
          </MessageBarBody>
        </MessageBar>
      </div>
    </main>
  );
}
