import { Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { Participant } from "../../shared/api/reports";

const useStyles = makeStyles({
  root: { color: tokens.colorNeutralForeground2, wordBreak: "break-word" },
  label: { color: tokens.colorNeutralForeground3 },
});

export function peopleText(people: Participant[]): string {
  return people.map((p) => (p.name && p.name !== p.address ? p.name : p.address)).join(", ");
}

/** "Contacts: Alice, Bob · Team: Jane" */
export function PeopleLine({ contacts, teamMembers, contactsLabel = "Contacts" }: { contacts: Participant[]; teamMembers: Participant[]; contactsLabel?: string }) {
  const styles = useStyles();
  return (
    <Caption1 className={styles.root}>
      <span className={styles.label}>{contactsLabel}: </span>
      {contacts.length ? peopleText(contacts) : "none"}
      <span className={styles.label}> · Team: </span>
      {teamMembers.length ? peopleText(teamMembers) : "none"}
    </Caption1>
  );
}
