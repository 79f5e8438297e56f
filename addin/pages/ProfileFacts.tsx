import { Text, makeStyles, tokens } from "@fluentui/react-components";
import type { CustomerProfile } from "../../shared/api/reports";

const useStyles = makeStyles({
  root: { color: tokens.colorNeutralForeground2, margin: 0 },
});

/** Owner, domain field and contacts in one line under the customer's name. */
export function ProfileFacts({ profile }: { profile: CustomerProfile }) {
  const styles = useStyles();
  return (
    <Text as="p" className={styles.root}>
      Owner: {profile.owner?.name ?? "no owner"}
      {profile.domains.length > 0 ? ` · Domain: ${profile.domains.join(", ")}` : ""} · Contacts:{" "}
      {profile.contacts.length ? profile.contacts.map((c) => c.name || c.address).join(", ") : "none yet"}
    </Text>
  );
}
