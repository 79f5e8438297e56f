import { Button, Field, Input, Select, makeStyles, tokens } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { PRESETS, presetOf, presetPeriod } from "./impactLogic";

const useStyles = makeStyles({
  root: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalS },
});

export interface PeriodSelectorProps {
  period: { from: string; to: string };
  /** The server's today (UTC): presets end on it. */
  today: string;
  onChange: (period: { from: string; to: string }) => void;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Last 7/30/90 days, 12 months, or any from–to (at most 366 days; the server checks too). */
export function PeriodSelector({ period, today, onChange }: PeriodSelectorProps) {
  const styles = useStyles();
  const preset = presetOf(period, today);
  const [custom, setCustom] = useState(preset === "custom");
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);
  useEffect(() => {
    setFrom(period.from);
    setTo(period.to);
  }, [period.from, period.to]);

  const valid = DAY.test(from) && DAY.test(to) && from <= to;
  return (
    <div className={styles.root}>
      <Field label="Period">
        <Select
          value={custom ? "custom" : preset}
          onChange={(_, d) => {
            if (d.value === "custom") {
              setCustom(true);
              return;
            }
            setCustom(false);
            const p = PRESETS.find((x) => x.value === d.value);
            if (p) onChange(presetPeriod(p.days, today));
          }}
        >
          {PRESETS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
          <option value="custom">Custom dates…</option>
        </Select>
      </Field>
      {custom && (
        <>
          <Field label="From">
            <Input type="date" value={from} max={to} onChange={(_, d) => setFrom(d.value)} />
          </Field>
          <Field label="To" validationState={valid ? "none" : "error"} validationMessage={valid ? undefined : "Pick a start on or before the end."}>
            <Input type="date" value={to} min={from} onChange={(_, d) => setTo(d.value)} />
          </Field>
          <Button appearance="primary" disabled={!valid} onClick={() => onChange({ from, to })}>
            Show
          </Button>
        </>
      )}
    </div>
  );
}
