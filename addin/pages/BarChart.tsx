import { Caption1, makeStyles, tokens } from "@fluentui/react-components";
import { useId, useRef, useState, type KeyboardEvent, type ReactElement } from "react";
import type { ImpactKind } from "../../shared/api/reports";
import { SERIES, type ChartGroup } from "./impactLogic";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS, minWidth: 0 },
  scroll: { overflowX: "auto" },
  legend: { display: "flex", columnGap: tokens.spacingHorizontalL, margin: 0, padding: 0, listStyleType: "none" },
  swatch: { display: "inline-block", width: "12px", height: "12px", marginRight: tokens.spacingHorizontalXS, verticalAlign: "middle", borderRadius: "2px" },
  email: { fill: tokens.colorBrandBackground, backgroundColor: tokens.colorBrandBackground },
  meeting: { fill: tokens.colorPaletteDarkOrangeBorderActive, backgroundColor: tokens.colorPaletteDarkOrangeBorderActive },
  bar: {
    cursor: "pointer",
    outlineStyle: "none",
    ":hover": { opacity: 0.8 },
    ":focus-visible": { stroke: tokens.colorStrokeFocus2, strokeWidth: "3px" },
  },
  axis: { stroke: tokens.colorNeutralStroke1, strokeWidth: "1px" },
  grid: { stroke: tokens.colorNeutralStroke3, strokeWidth: "1px" },
  text: { fill: tokens.colorNeutralForeground2, fontSize: "11px", fontFamily: tokens.fontFamilyBase },
  value: { fill: tokens.colorNeutralForeground1, fontSize: "11px", fontFamily: tokens.fontFamilyBase },
  hint: { color: tokens.colorNeutralForeground3 },
});

export interface BarChartProps {
  title: string;
  /** What one bar group is, for the description: "team member", "day". */
  groupNoun: string;
  groups: ChartGroup[];
  orientation: "vertical" | "horizontal";
  /** The bar that is open in the drill-down (highlighted). */
  selected?: { key: string; kind: ImpactKind } | null;
  onSelect: (group: ChartGroup, kind: ImpactKind) => void;
}

interface BarGeom {
  group: ChartGroup;
  kind: ImpactKind;
  value: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

const niceMax = (n: number) => {
  if (n <= 4) return 4;
  const p = 10 ** Math.floor(Math.log10(n));
  const m = n / p;
  return (m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
};

/**
 * A grouped bar chart in plain SVG: emails and meetings side by side for each group. Each bar is a
 * button (Enter/Space opens its drill-down) with a <title> and an aria-label; the whole chart is
 * one Tab stop and the arrow keys move between bars (Home/End to the ends).
 */
export function BarChart({ title, groupNoun, groups, orientation, selected, onSelect }: BarChartProps) {
  const styles = useStyles();
  const titleId = useId();
  const descId = useId();
  const [active, setActive] = useState(0);
  const refs = useRef<(SVGRectElement | null)[]>([]);
  const max = niceMax(Math.max(0, ...groups.flatMap((g) => [g.emails, g.meetings])));
  const bars: BarGeom[] = [];
  let width: number;
  let height: number;
  const ticks = [0, max / 2, max];
  const chrome: ReactElement[] = [];

  if (orientation === "vertical") {
    const left = 40;
    const top = 12;
    const plotH = 180;
    // 31 days fit a half-width card (~560 px); longer periods are charted per week by the page.
    const groupW = groups.length > 20 ? 16 : groups.length > 10 ? 26 : 36;
    const barW = (groupW - 4) / 2;
    width = left + groups.length * groupW + 28;
    height = top + plotH + 36;
    const labelEvery = Math.max(1, Math.ceil(groups.length / 8));
    for (const t of ticks) {
      const y = top + plotH - (t / max) * plotH;
      chrome.push(<line key={`g${t}`} className={styles.grid} x1={left} x2={width - 8} y1={y} y2={y} />);
      chrome.push(
        <text key={`t${t}`} className={styles.text} x={left - 6} y={y + 4} textAnchor="end">
          {t.toLocaleString()}
        </text>,
      );
    }
    chrome.push(<line key="axis" className={styles.axis} x1={left} x2={width - 8} y1={top + plotH} y2={top + plotH} />);
    groups.forEach((g, i) => {
      const gx = left + i * groupW + 2;
      SERIES.forEach((s, j) => {
        const value = g[s.field];
        const h = Math.max(value > 0 ? 2 : 1, (value / max) * plotH);
        bars.push({ group: g, kind: s.kind, value, x: gx + j * barW, y: top + plotH - h, w: barW - 1, h });
      });
      if (i % labelEvery === 0) {
        chrome.push(
          <text key={`l${g.key}`} className={styles.text} x={gx + groupW / 2 - 2} y={top + plotH + 14} textAnchor="middle">
            {g.label}
          </text>,
        );
      }
    });
  } else {
    const left = 150;
    const top = 8;
    const rowH = 34;
    const plotW = 420;
    width = left + plotW + 60;
    height = top + groups.length * rowH + 24;
    for (const t of ticks) {
      const x = left + (t / max) * plotW;
      chrome.push(<line key={`g${t}`} className={styles.grid} x1={x} x2={x} y1={top} y2={height - 20} />);
      chrome.push(
        <text key={`t${t}`} className={styles.text} x={x} y={height - 6} textAnchor="middle">
          {t.toLocaleString()}
        </text>,
      );
    }
    groups.forEach((g, i) => {
      const gy = top + i * rowH + 3;
      const label = g.label.length > 22 ? `${g.label.slice(0, 21)}…` : g.label;
      chrome.push(
        <text key={`l${g.key}`} className={styles.text} x={left - 8} y={gy + 17} textAnchor="end">
          {label}
        </text>,
      );
      SERIES.forEach((s, j) => {
        const value = g[s.field];
        const w = Math.max(value > 0 ? 2 : 1, (value / max) * plotW);
        bars.push({ group: g, kind: s.kind, value, x: left, y: gy + j * 14, w, h: 12 });
        chrome.push(
          <text key={`v${g.key}${s.kind}`} className={styles.value} x={left + w + 4} y={gy + j * 14 + 10}>
            {value.toLocaleString()}
          </text>,
        );
      });
    });
  }

  const focusBar = (i: number) => {
    const next = Math.max(0, Math.min(bars.length - 1, i));
    setActive(next);
    refs.current[next]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent, i: number, bar: BarGeom) => {
    const key = event.key;
    if (key === "Enter" || key === " ") {
      event.preventDefault();
      onSelect(bar.group, bar.kind);
      return;
    }
    const step = orientation === "vertical" ? { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 1, ArrowUp: -1 } : { ArrowDown: 1, ArrowUp: -1, ArrowRight: 1, ArrowLeft: -1 };
    if (key in step) {
      event.preventDefault();
      focusBar(i + step[key as keyof typeof step]);
    } else if (key === "Home") {
      event.preventDefault();
      focusBar(0);
    } else if (key === "End") {
      event.preventDefault();
      focusBar(bars.length - 1);
    }
  };
  const tabStop = Math.min(active, bars.length - 1);

  return (
    <figure className={styles.root} aria-labelledby={titleId}>
      <figcaption id={titleId}>
        <strong>{title}</strong>
      </figcaption>
      <ul className={styles.legend} aria-hidden="true">
        {SERIES.map((s) => (
          <li key={s.kind}>
            <span className={`${styles.swatch} ${s.kind === "email" ? styles.email : styles.meeting}`} />
            <Caption1>{s.label}</Caption1>
          </li>
        ))}
      </ul>
      <div className={styles.scroll}>
        <svg width={width} height={height} role="group" aria-labelledby={titleId} aria-describedby={descId}>
          <title>{title}</title>
          <desc id={descId}>
            Emails and meetings per {groupNoun}. Use the arrow keys to move between bars and Enter to list the interactions behind a bar; the same numbers are in the
            data table below.
          </desc>
          {chrome}
          {bars.map((b, i) => {
            const s = SERIES.find((x) => x.kind === b.kind)!;
            const label = `${b.group.fullLabel}: ${b.value.toLocaleString()} ${b.value === 1 ? s.one : s.label.toLowerCase()}`;
            const isSelected = selected?.key === b.group.key && selected.kind === b.kind;
            return (
              <rect
                key={`${b.group.key}-${b.kind}`}
                ref={(el) => {
                  refs.current[i] = el;
                }}
                className={`${styles.bar} ${b.kind === "email" ? styles.email : styles.meeting}`}
                x={b.x}
                y={b.y}
                width={b.w}
                height={b.h}
                role="button"
                tabIndex={i === tabStop ? 0 : -1}
                aria-label={`${label}. Show them.`}
                aria-pressed={isSelected}
                data-bar={`${b.group.key}/${b.kind}`}
                onClick={() => {
                  setActive(i);
                  onSelect(b.group, b.kind);
                }}
                onFocus={() => setActive(i)}
                onKeyDown={(e) => onKeyDown(e, i, b)}
                stroke={isSelected ? "currentColor" : undefined}
                strokeWidth={isSelected ? 2 : undefined}
              >
                <title>{label}</title>
              </rect>
            );
          })}
        </svg>
      </div>
      <Caption1 className={styles.hint}>Select a bar to see the interactions behind it.</Caption1>
    </figure>
  );
}
