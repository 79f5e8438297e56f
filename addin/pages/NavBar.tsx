import { Caption1, Link, Subtitle1, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { formatRoute, type Route } from "./routes";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXL}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  brand: { display: "flex", alignItems: "center", columnGap: tokens.spacingHorizontalS },
  logo: { width: "28px", height: "28px" },
  links: { display: "flex", columnGap: tokens.spacingHorizontalL, listStyleType: "none", margin: 0, padding: 0 },
  link: { fontSize: tokens.fontSizeBase400 },
  current: { fontWeight: tokens.fontWeightSemibold, textDecorationLine: "underline" },
  who: { marginLeft: "auto", color: tokens.colorNeutralForeground3 },
});

export interface NavBarProps {
  route: Route;
  memberName?: string;
  organisation?: string;
}

export function NavBar({ route, memberName, organisation }: NavBarProps) {
  const styles = useStyles();
  const section = route.page === "impact" ? "impact" : "customers";
  const item = (key: "customers" | "impact", label: string, target: Route) => (
    <li>
      <Link href={formatRoute(target)} className={mergeClasses(styles.link, section === key && styles.current)} aria-current={section === key ? "page" : undefined}>
        {label}
      </Link>
    </li>
  );
  return (
    <header className={styles.root}>
      <div className={styles.brand}>
        <img className={styles.logo} src="assets/icon-32.png" alt="" width={28} height={28} />
        <Subtitle1 as="p">Startdeliver</Subtitle1>
      </div>
      <nav aria-label="Reports">
        <ul className={styles.links}>
          {item("customers", "Customers", { page: "customers", sort: "last_interaction", pageNumber: 1 })}
          {item("impact", "Impact", { page: "impact" })}
        </ul>
      </nav>
      {memberName && (
        <Caption1 className={styles.who}>
          {memberName}
          {organisation ? ` · ${organisation}` : ""}
        </Caption1>
      )}
    </header>
  );
}
