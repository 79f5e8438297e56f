import { Caption1, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  root: {
    display: "flex",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalS,
    paddingBottom: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  logo: { width: "32px", height: "32px", flexShrink: 0 },
  text: { display: "flex", flexDirection: "column", minWidth: 0 },
  who: { color: tokens.colorNeutralForeground3, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
});

export interface HeaderProps {
  /** "Signed in as …" once the server knows the member. */
  memberName?: string;
  organisation?: string;
}

export function Header({ memberName, organisation }: HeaderProps) {
  const styles = useStyles();
  return (
    <header className={styles.root}>
      <img className={styles.logo} src="assets/icon-32.png" alt="" width={32} height={32} />
      <div className={styles.text}>
        <Subtitle1 as="h1">Startdeliver</Subtitle1>
        {memberName && (
          <Caption1 className={styles.who}>
            {memberName}
            {organisation ? ` · ${organisation}` : ""}
          </Caption1>
        )}
      </div>
    </header>
  );
}
