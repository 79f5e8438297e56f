import type { AliasView } from "../../shared/api/contract";

export type AliasCheck = { ok: true; address: string } | { ok: false; error: string };

/**
 * A deliberately plain address check (what people mistype), not RFC 5322: one @, no spaces, a domain with a
 * dot and valid labels. The server validates again.
 */
const LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function validateAlias(input: string, existing: readonly AliasView[] = [], primaryAddress?: string): AliasCheck {
  const address = input.trim().toLowerCase();
  if (!address) return { ok: false, error: "Enter an email address, for example firstname.lastname@company.com." };
  if (/\s/.test(address)) return { ok: false, error: "An email address can't contain spaces." };
  const at = address.lastIndexOf("@");
  if (at <= 0 || address.indexOf("@") !== at) {
    return { ok: false, error: "That isn't an email address: it needs exactly one @, like name@company.com." };
  }
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (address.length > 254 || local.length > 64) return { ok: false, error: "That email address is too long." };
  if (!LOCAL.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return { ok: false, error: "The part before the @ has characters an email address can't have." };
  }
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, error: "The part after the @ isn't a valid domain, like company.com." };
  }
  if (primaryAddress && address === primaryAddress.trim().toLowerCase()) {
    return { ok: false, error: "That's your main address; it's always included." };
  }
  if (existing.some((a) => a.address.toLowerCase() === address)) {
    return { ok: false, error: "That alias is already in the list." };
  }
  return { ok: true, address };
}
