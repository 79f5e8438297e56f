import { Body1, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    alignItems: "flex-start",
    padding: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke2}`,
    color: tokens.colorNeutralForeground2,
  },
});

export interface EmptyStateProps {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}

/** Nothing to show yet, said plainly, with what to do about it. */
export function EmptyState({ title, children, action }: EmptyStateProps) {
  const styles = useStyles();
  return (
    <div className={styles.root} role="status">
      <Subtitle2 as="p">{title}</Subtitle2>
      {children && <Body1>{children}</Body1>}
      {action}
    </div>
  );
}
