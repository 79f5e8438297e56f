import { Caption1, Switch, makeStyles, tokens } from "@fluentui/react-components";
import { useId, type ReactNode } from "react";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column" },
  explanation: { color: tokens.colorNeutralForeground3, paddingLeft: tokens.spacingHorizontalXXL },
});

export interface SettingSwitchProps {
  label: string;
  explanation: ReactNode;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}

/** A toggle with its one-line explanation tied to it for screen readers. */
export function SettingSwitch({ label, explanation, checked, disabled, onChange }: SettingSwitchProps) {
  const styles = useStyles();
  const explanationId = useId();
  return (
    <div className={styles.root}>
      <Switch
        label={label}
        checked={checked}
        disabled={disabled}
        aria-describedby={explanationId}
        onChange={(_, data) => onChange(data.checked)}
      />
      <Caption1 id={explanationId} className={styles.explanation}>
        {explanation}
      </Caption1>
    </div>
  );
}
