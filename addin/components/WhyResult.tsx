import { Button, Caption1, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { Fix, WhyResponse } from "../../shared/api/contract";
import { formatDateTime, type FormatOptions } from "../logic/format";
import { InteractionList } from "./InteractionList";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS },
  reasons: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS },
  fixes: { display: "flex", flexDirection: "column", alignItems: "flex-start", rowGap: tokens.spacingVerticalS },
  fix: { maxWidth: "100%", whiteSpace: "normal", textAlign: "start" },
  meta: { color: tokens.colorNeutralForeground3 },
});

export interface WhyResultProps {
  why: WhyResponse;
  /** Index of the fix being applied, if any. */
  applying: number | null;
  onApplyFix: (fix: Fix, index: number) => void;
  onOpenUrl: (url: string) => void;
  format?: FormatOptions;
}

/** What a fix button does, for the button's description. */
export function fixHint(fix: Fix): string {
  switch (fix.kind) {
    case "add_alias":
      return `Adds ${fix.address} to your aliases, then checks again.`;
    case "enable_setting":
      return "Turns the setting on, then checks again.";
    case "add_contact":
      return fix.customerUrl
        ? `Opens the customer in Startdeliver so you can add ${fix.address} as a contact.`
        : `Ask your Startdeliver admin to add ${fix.address} as a contact.`;
    case "authenticate":
      return "Opens the Microsoft sign-in window, then checks again.";
    case "sync_now":
      return "Starts a sync now, then checks again.";
  }
}

export function WhyResult({ why, applying, onApplyFix, onOpenUrl, format }: WhyResultProps) {
  const styles = useStyles();
  const lastSync = formatDateTime(why.lastSyncAt, format);
  return (
    <div className={styles.root}>
      <MessageBar intent={why.synced ? "success" : "warning"} layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{why.headline}</MessageBarTitle>
        </MessageBarBody>
      </MessageBar>
      {why.synced && why.interactions.length > 0 && (
        <InteractionList interactions={why.interactions} label="Where this email is in Startdeliver" onOpenUrl={onOpenUrl} format={format} />
      )}
      {why.customers.length > 0 && <Caption1>Customers: {why.customers.map((c) => c.name).join(", ")}</Caption1>}
      {why.reasons.length > 0 && (
        <>
          <Text weight="semibold" as="h4">
            {why.synced ? "Details" : "Why"}
          </Text>
          <ul className={styles.reasons}>
            {why.reasons.map((r) => (
              <li key={r.code}>{r.text}</li>
            ))}
          </ul>
        </>
      )}
      {why.fixes.length > 0 && (
        <>
          <Text weight="semibold" as="h4">
            Fix it
          </Text>
          <div className={styles.fixes}>
            {why.fixes.map((fix, index) => {
              const unavailable = fix.kind === "add_contact" && !fix.customerUrl;
              return (
                <div key={`${fix.kind}-${index}`}>
                  <Button
                    className={styles.fix}
                    appearance={index === 0 ? "primary" : "secondary"}
                    disabled={applying !== null || unavailable}
                    onClick={() => onApplyFix(fix, index)}
                    icon={applying === index ? <Spinner size="tiny" /> : undefined}
                  >
                    {fix.label}
                  </Button>
                  <Caption1 as="p" block className={styles.meta}>
                    {fixHint(fix)}
                  </Caption1>
                </div>
              );
            })}
          </div>
        </>
      )}
      <Caption1 className={styles.meta}>Last sync: {lastSync ?? "not yet"}</Caption1>
    </div>
  );
}
