import { Caption1, Link, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useId } from "react";
import type { CustomerMatch } from "../../shared/api/contract";
import { formatDate, type FormatOptions } from "../logic/format";
import { InteractionList } from "./InteractionList";
import { customerPageLink } from "../pages/routes";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  name: { wordBreak: "break-word" },
  facts: { margin: 0, display: "grid", gridTemplateColumns: "auto 1fr", columnGap: tokens.spacingHorizontalS, rowGap: "2px" },
  term: { color: tokens.colorNeutralForeground3 },
  detail: { margin: 0, wordBreak: "break-word" },
  contacts: { listStyleType: "none", margin: 0, padding: 0 },
  sub: { marginTop: tokens.spacingVerticalS },
});

export interface CustomerCardProps {
  customer: CustomerMatch;
  onOpenUrl: (url: string) => void;
  format?: FormatOptions;
}

export function CustomerCard({ customer, onOpenUrl, format }: CustomerCardProps) {
  const styles = useStyles();
  const headingId = useId();
  return (
    <article className={styles.root} aria-labelledby={headingId}>
      <Text as="h3" weight="semibold" size={400} id={headingId} className={styles.name}>
        {customer.name}
      </Text>
      <dl className={styles.facts}>
        <dt className={styles.term}>Owner</dt>
        <dd className={styles.detail}>{customer.owner ?? "No owner"}</dd>
        <dt className={styles.term}>Last interaction</dt>
        <dd className={styles.detail}>{formatDate(customer.lastInteractionAt, format) ?? "None yet"}</dd>
        <dt className={styles.term}>Last email reply</dt>
        <dd className={styles.detail}>{formatDate(customer.lastEmailReplyAt, format) ?? "None yet"}</dd>
      </dl>
      <Text weight="semibold" className={styles.sub}>
        Contacts in this email
      </Text>
      {customer.matchedContacts.length > 0 ? (
        <ul className={styles.contacts}>
          {customer.matchedContacts.map((c) => (
            <li key={c.userId}>
              {c.name} <Caption1>({c.address})</Caption1>
            </li>
          ))}
        </ul>
      ) : (
        <Caption1>None by address.</Caption1>
      )}
      {customer.matchedByDomain && <Caption1>Matched by the customer's email domain.</Caption1>}
      <Text weight="semibold" className={styles.sub}>
        Latest interactions
      </Text>
      {customer.recentInteractions.length > 0 ? (
        <InteractionList interactions={customer.recentInteractions} label={`Latest interactions with ${customer.name}`} onOpenUrl={onOpenUrl} format={format} />
      ) : (
        <Caption1>No interactions yet.</Caption1>
      )}
      <Link className={styles.sub} onClick={() => onOpenUrl(customerPageLink(window.location.href, customer.customerId))}>
        Open {customer.name}'s history
      </Link>
    </article>
  );
}
