/** Helpers for the pane's node:test component tests: server-side render inside FluentProvider, then read the text. */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { renderToString } from "react-dom/server";

export function renderHtml(element: ReactElement): string {
  return renderToString(<FluentProvider theme={webLightTheme}>{element}</FluentProvider>);
}

/** The visible text, whitespace collapsed (style elements and tags removed, entities decoded). */
export function textOf(html: string): string {
  return html
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, "")
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();
}

/** The accessible names of the buttons in the markup (their text content). */
export function buttonsOf(html: string): string[] {
  return [...html.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/g)].map((m) => textOf(m[1]!));
}

export const noop = () => {};
