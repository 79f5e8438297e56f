/**
 * The matching rules: one pure decision for the sync, the pane's preview and "why wasn't this synced?".
 * Browser-safe. The rules in plain words: docs/matching-rules.md.
 */
export * from "./addresses";
export * from "./directory";
export * from "./participants";
export * from "./decide";
export * from "./threads";
export * from "./diagnose";
