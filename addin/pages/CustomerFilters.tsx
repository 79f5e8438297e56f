import { Field, Input, Select, makeStyles, tokens } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import type { TeamMembersResponse } from "../../shared/api/reports";

const useStyles = makeStyles({
  root: { display: "flex", flexWrap: "wrap", columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalS, alignItems: "flex-end" },
  search: { minWidth: "220px" },
  quiet: { width: "120px" },
});

export interface CustomerFilterValues {
  q?: string;
  owner?: string;
  quietDays?: number;
}

export interface CustomerFiltersProps {
  values: CustomerFilterValues;
  team: TeamMembersResponse | null;
  onChange: (values: CustomerFilterValues) => void;
}

/** Search, owner and "quiet for more than N days". Text fields apply after a short pause. */
export function CustomerFilters({ values, team, onChange }: CustomerFiltersProps) {
  const styles = useStyles();
  const [q, setQ] = useState(values.q ?? "");
  const [quiet, setQuiet] = useState(values.quietDays ? String(values.quietDays) : "");
  useEffect(() => setQ(values.q ?? ""), [values.q]);
  useEffect(() => setQuiet(values.quietDays ? String(values.quietDays) : ""), [values.quietDays]);

  useEffect(() => {
    const next = q.trim() || undefined;
    if (next === values.q) return;
    const timer = setTimeout(() => onChange({ ...values, q: next }), 300);
    return () => clearTimeout(timer);
  }, [q]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const n = /^\d{1,4}$/.test(quiet) && Number(quiet) >= 1 ? Number(quiet) : undefined;
    if (n === values.quietDays || (quiet !== "" && n === undefined)) return;
    const timer = setTimeout(() => onChange({ ...values, quietDays: n }), 300);
    return () => clearTimeout(timer);
  }, [quiet]); // eslint-disable-line react-hooks/exhaustive-deps

  const quietInvalid = quiet !== "" && !(/^\d{1,4}$/.test(quiet) && Number(quiet) >= 1);
  return (
    <div className={styles.root} role="search" aria-label="Filter customers">
      <Field label="Search customers">
        <Input className={styles.search} value={q} onChange={(_, d) => setQ(d.value)} placeholder="Name or id" type="search" />
      </Field>
      <Field label="Owner">
        <Select value={values.owner ?? ""} onChange={(_, d) => onChange({ ...values, owner: d.value || undefined })}>
          <option value="">Everyone</option>
          <option value="me">My customers</option>
          <option value="none">No owner</option>
          {team?.members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label="Quiet for more than (days)"
        validationState={quietInvalid ? "error" : "none"}
        validationMessage={quietInvalid ? "Enter a whole number of days, 1 or more." : undefined}
      >
        <Input className={styles.quiet} value={quiet} onChange={(_, d) => setQuiet(d.value)} inputMode="numeric" placeholder="Any" />
      </Field>
    </div>
  );
}
