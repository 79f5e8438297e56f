import { Button, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { copyText } from "../logic/clipboard";

const useStyles = makeStyles({
  root: { display: "flex", flexWrap: "wrap", alignItems: "center", columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS },
  result: { color: tokens.colorNeutralForeground3 },
});

export const COPIED_TEXT = "Copied. Paste it into a message to your admin.";
export const COPY_FAILED_TEXT = "Couldn't copy here. Select the link above and copy it.";

export interface CopyButtonProps {
  text: string;
  label: string;
  /** For tests: what copies. */
  copy?: (text: string) => Promise<boolean>;
  /** What happened, announced politely; for tests. */
  initialResult?: "copied" | "failed" | null;
}

/** A small "Copy …" button with the result in words next to it. */
export function CopyButton({ text, label, copy = copyText, initialResult = null }: CopyButtonProps) {
  const styles = useStyles();
  const [result, setResult] = useState<"copied" | "failed" | null>(initialResult);
  useEffect(() => {
    if (result !== "copied") return;
    const timer = window.setTimeout(() => setResult(null), 5000);
    return () => window.clearTimeout(timer);
  }, [result]);

  return (
    <div className={styles.root}>
      <Button size="small" onClick={() =>
          void copy(text).then(
            (ok) => setResult(ok ? "copied" : "failed"),
            () => setResult("failed"),
          )
        }>
        {label}
      </Button>
      <Caption1 className={styles.result} role="status" aria-live="polite">
        {result === "copied" ? COPIED_TEXT : result === "failed" ? COPY_FAILED_TEXT : ""}
      </Caption1>
    </div>
  );
}
