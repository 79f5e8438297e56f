import { Divider, MessageBar, MessageBarBody, Spinner, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import type { MemberSettings } from "../../shared/api/contract";
import type { ToggleKey } from "../hooks/useSettings";
import { formatCount } from "../logic/format";
import { AliasEditor } from "./AliasEditor";
import { ProblemNotice } from "./ProblemNotice";
import { SettingSwitch } from "./SettingSwitch";

const useStyles = makeStyles({
  // Visible to screen readers only: the tab already names the section on screen.
  srOnly: {
    position: "absolute",
    width: "1px",
    height: "1px",
    margin: "-1px",
    padding: 0,
    overflow: "hidden",
    clip: "rect(0 0 0 0)",
    whiteSpace: "nowrap",
    border: 0,
  },
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM },
  toggles: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM },
});

export const SETTING_TEXT: Record<ToggleKey, string> = {
  syncToCustomersByDomain: "Sync to customers instead of users",
  syncUnknownSender: "Sync emails where a team member and user are recipients but sender is unknown",
  syncUnknownOrganizer: "Sync events where a team member and user are participants but organiser is unknown",
};

export function domainExplanation(customersWithDomainCount: number): string {
  if (customersWithDomainCount === 0) {
    return "Matches emails and meetings to customers by email domain. No customer has the domain field filled in yet, so nothing would match: ask your Startdeliver admin to set up the customer domain field and fill it in.";
  }
  return `Matches emails and meetings to customers by email domain instead of by user (${formatCount(customersWithDomainCount)} customers have a domain).`;
}

export interface SettingsPanelProps {
  settings: MemberSettings | null;
  problem: unknown;
  saving: string | null;
  savedNotice: string | null;
  primaryAddress?: string;
  onToggle: (key: ToggleKey, value: boolean) => void;
  onAddAlias: (address: string) => Promise<boolean>;
  onRemoveAlias: (address: string) => void;
  onRetry: () => void;
  onSignIn: () => void;
}

export function SettingsPanel(props: SettingsPanelProps) {
  const { settings, problem, saving, savedNotice } = props;
  const styles = useStyles();
  const savingAlias = saving?.startsWith("alias:") ? saving.slice("alias:".length) : null;

  return (
    <section className={styles.root} aria-labelledby="settings-heading">
      <Subtitle2 as="h2" id="settings-heading" className={styles.srOnly}>
        Settings
      </Subtitle2>
      {problem !== null && problem !== undefined && <ProblemNotice error={problem} onRetry={props.onRetry} onSignIn={props.onSignIn} />}
      {!settings ? (
        problem ? null : <Spinner size="small" label="Loading your settings…" />
      ) : (
        <>
          <AliasEditor
            aliases={settings.aliases}
            primaryAddress={props.primaryAddress}
            savingAddress={savingAlias}
            onAdd={props.onAddAlias}
            onRemove={props.onRemoveAlias}
          />
          <Divider />
          <div className={styles.toggles}>
            <SettingSwitch
              label={SETTING_TEXT.syncToCustomersByDomain}
              explanation={domainExplanation(settings.customersWithDomainCount)}
              checked={settings.syncToCustomersByDomain}
              disabled={saving === "syncToCustomersByDomain"}
              onChange={(v) => props.onToggle("syncToCustomersByDomain", v)}
            />
            <SettingSwitch
              label={SETTING_TEXT.syncUnknownSender}
              explanation="Also syncs emails where you and a customer user are both recipients, even if the sender isn't in Startdeliver."
              checked={settings.syncUnknownSender}
              disabled={saving === "syncUnknownSender"}
              onChange={(v) => props.onToggle("syncUnknownSender", v)}
            />
            <SettingSwitch
              label={SETTING_TEXT.syncUnknownOrganizer}
              explanation="Also syncs meetings where you and a customer user both take part, even if the organiser isn't in Startdeliver."
              checked={settings.syncUnknownOrganizer}
              disabled={saving === "syncUnknownOrganizer"}
              onChange={(v) => props.onToggle("syncUnknownOrganizer", v)}
            />
          </div>
        </>
      )}
      <div role="status" aria-live="polite">
        {savedNotice && (
          <MessageBar intent="success" layout="multiline">
            <MessageBarBody>{savedNotice}</MessageBarBody>
          </MessageBar>
        )}
      </div>
    </section>
  );
}
