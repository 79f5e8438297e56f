import { Badge, Button, Caption1, Field, Input, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useId, useState, type FormEvent } from "react";
import type { AliasView } from "../../shared/api/contract";
import { validateAlias } from "../logic/aliases";

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS },
  item: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    justifyContent: "space-between",
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalXXS,
    minHeight: "32px",
  },
  address: { wordBreak: "break-all", minWidth: 0 },
  tag: { flexShrink: 0 },
  form: { display: "flex", flexDirection: "column", alignItems: "flex-start", rowGap: tokens.spacingVerticalS, marginTop: tokens.spacingVerticalS },
  field: { alignSelf: "stretch", minWidth: 0 },
  empty: { color: tokens.colorNeutralForeground3 },
});

export interface AliasEditorProps {
  aliases: AliasView[];
  primaryAddress?: string;
  /** The address being saved, if any. */
  savingAddress?: string | null;
  /** Resolves true when the alias was added (the input is then cleared). */
  onAdd: (address: string) => Promise<boolean>;
  onRemove: (address: string) => void;
  /** For tests: what is typed in the box at first. */
  initialInput?: string;
  initialError?: string;
}

export function AliasEditor({ aliases, primaryAddress, savingAddress, onAdd, onRemove, initialInput = "", initialError }: AliasEditorProps) {
  const styles = useStyles();
  const [input, setInput] = useState(initialInput);
  const [error, setError] = useState<string | undefined>(initialError);
  const headingId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const check = validateAlias(input, aliases, primaryAddress);
    if (!check.ok) {
      setError(check.error);
      return;
    }
    setError(undefined);
    if (await onAdd(check.address)) setInput("");
  };

  return (
    <div>
      <Text as="h3" weight="semibold" id={headingId}>
        Email aliases
      </Text>
      <Caption1 as="p" block>
        Add every address you send from (for example firstname@ and firstname.lastname@), so emails from an alias sync too.
      </Caption1>
      {aliases.length === 0 ? (
        <Caption1 as="p" block className={styles.empty}>
          No aliases yet.
        </Caption1>
      ) : (
        <ul className={styles.list} aria-labelledby={headingId}>
          {aliases.map((alias) => (
            <li key={alias.address} className={styles.item}>
              <span className={styles.address}>{alias.address}</span>
              {alias.source === "discovered" ? (
                <Badge className={styles.tag} appearance="tint" color="informative" title="Found in your Microsoft 365 mailbox; it can't be removed here.">
                  from your mailbox
                </Badge>
              ) : (
                <Button
                  className={styles.tag}
                  size="small"
                  appearance="subtle"
                  aria-label={`Remove alias ${alias.address}`}
                  disabled={savingAddress === alias.address}
                  onClick={() => onRemove(alias.address)}
                >
                  Remove
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className={styles.form} onSubmit={submit} noValidate>
        <Field
          className={styles.field}
          label="Add an alias"
          validationState={error ? "error" : "none"}
          validationMessage={error}
        >
          <Input
            type="email"
            value={input}
            autoComplete="email"
            placeholder="name@company.com"
            onChange={(_, data) => {
              setInput(data.value);
              if (error) setError(undefined);
            }}
          />
        </Field>
        <Button type="submit" disabled={savingAddress !== null && savingAddress !== undefined}>
          Add
        </Button>
      </form>
    </div>
  );
}
