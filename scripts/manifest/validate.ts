/**
 * Offline validation of the add-in's XML manifest, in two layers:
 *
 * 1. Schema: the official XSDs in ../shared/office-manifest-xsd (see its README), compiled with libxml2-wasm.
 *    The XSD files are never edited: defect 1 (a .NET-only lazy quantifier in the Version pattern) is patched in
 *    memory and defect 2 (the missing ContentApp import) is served from stubs/.
 * 2. Rules the schemas can't express, read through office-addin-manifest's own parser (ManifestInfo) for the
 *    top-level fields and XPath for VersionOverrides: every URL points at a route the configured server serves,
 *    ids and resids are unique and resolve, the id is a GUID, the version has the Office format, the button opens
 *    a pinnable pane on the read surface, and the add-in asks for the least permission it needs.
 *
 * Used by `npm run validate` (scripts/validate-manifest.ts), `npm run build` and scripts/manifest/validate.test.ts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { OfficeAddinManifest, type ManifestInfo } from "office-addin-manifest";
import {
  XmlBufferInputProvider,
  XmlDocument,
  XmlLibError,
  XsdValidator,
  xmlRegisterInputProvider,
  type ErrorDetail,
  type XmlElement,
  type XmlNode,
} from "libxml2-wasm";

export const DEFAULT_PUBLIC_URL = "https://localhost:3000";

/** The public URL the committed manifest.xml is written for; the build substitutes the configured one. */
export const TEMPLATE_PUBLIC_URL = DEFAULT_PUBLIC_URL;

/** Paths (under PUBLIC_URL) that the manifest may reference: the server must serve exactly these. */
export const MANIFEST_ROUTES = {
  taskpane: "/addin/taskpane.html",
  commands: "/addin/commands.html",
  icons: [16, 32, 64, 80, 128].map((size) => `/addin/assets/icon-${size}.png`),
} as const;

const NS = {
  o: "http://schemas.microsoft.com/office/appforoffice/1.1",
  bt: "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
  mo: "http://schemas.microsoft.com/office/mailappversionoverrides",
  mo11: "http://schemas.microsoft.com/office/mailappversionoverrides/1.1",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Office's Version type: up to four dot-separated parts of 1–5 digits (the XSD pattern without its .NET `?`). */
const OFFICE_VERSION = /^[0-9]{1,5}(\.[0-9]{1,5}){0,3}$/;
/** Outlook rejects resource ids longer than 32 characters. */
const MAX_RESID_LENGTH = 32;

export interface ManifestIssue {
  /** Which check found it: "schema" or a rule name. */
  rule: string;
  message: string;
  line?: number;
}

export interface ManifestValidationResult {
  valid: boolean;
  issues: ManifestIssue[];
  /** What office-addin-manifest's parser read, when the file could be parsed. */
  info?: ManifestInfo;
}

export interface ValidateOptions {
  /** The server the manifest must point at (PUBLIC_URL). Defaults to https://localhost:3000. */
  publicUrl?: string;
  /** Folder with the official XSDs. Defaults to ../shared/office-manifest-xsd next to the repository. */
  xsdDir?: string;
}

const repoRoot = path.resolve(import.meta.dirname, "..", "..");

/** The XSD folder is a sibling of the repository, both here and in CI. */
export function defaultXsdDir(root = repoRoot): string {
  return path.resolve(root, "..", "shared", "office-manifest-xsd");
}

export function normalisePublicUrl(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * The manifest for a deployment: the template's https://localhost:3000 replaced by PUBLIC_URL.
 * AppDomain entries are origins, never paths, so they get the origin only.
 */
export function renderManifest(template: string, publicUrl: string): string {
  const base = normalisePublicUrl(publicUrl);
  const origin = new URL(base).origin;
  return template
    .replace(/(<AppDomain>)\s*https:\/\/localhost:3000\/?\s*(<\/AppDomain>)/g, `$1${origin}$2`)
    .replaceAll(TEMPLATE_PUBLIC_URL, base);
}

// ---------------------------------------------------------------- schema layer

let schemaCache: { dir: string; validator: XsdValidator } | undefined;

function loadSchema(xsdDir: string): XsdValidator {
  if (schemaCache?.dir === xsdDir) return schemaCache.validator;
  if (!fs.existsSync(path.join(xsdDir, "OfficeAppManifestV1_1.xsd"))) {
    throw new Error(`The Office manifest XSDs were not found in ${xsdDir} (expected the shared office-manifest-xsd folder next to the repository).`);
  }
  // A virtual folder name keeps the input provider from answering for anything but these schemas.
  const folder = `officexsd-${++schemaLoads}`;
  const buffers: Record<string, Uint8Array> = {};
  const stubs = path.join(xsdDir, "stubs");
  // Stubs first, then the real files, so a real file of the same name would win.
  for (const dir of [stubs, xsdDir]) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".xsd"))) {
      const text = fs.readFileSync(path.join(dir, name), "utf8");
      // Defect 1: `{0,3}?` is a .NET lazy quantifier that libxml2 can't compile. XSD patterns match the whole
      // value, so dropping the `?` accepts exactly the same versions.
      buffers[`${folder}/${name}`] = new TextEncoder().encode(text.replaceAll('{0,3}?"', '{0,3}"'));
    }
  }
  xmlRegisterInputProvider(new XmlBufferInputProvider(buffers));
  const entry = `${folder}/OfficeAppManifestV1_1.xsd`;
  const xsd = XmlDocument.fromBuffer(buffers[entry]!, { url: entry });
  // The validator keeps referring to the schema document: both live for the rest of the process.
  const validator = XsdValidator.fromDoc(xsd);
  schemaCache = { dir: xsdDir, validator };
  return validator;
}
let schemaLoads = 0;

/** "Element '{ns}DefaultLocale': … Expected is ( {ns}ProviderName )." → without the namespace noise. */
function plainSchemaMessage(detail: ErrorDetail): string {
  return detail.message.replace(/\{[^}]*\}/g, "").replace(/\s+/g, " ").trim();
}

function schemaIssues(doc: XmlDocument, xsdDir: string): ManifestIssue[] {
  const validator = loadSchema(xsdDir);
  try {
    validator.validate(doc);
    return [];
  } catch (error) {
    if (error instanceof XmlLibError) {
      return error.details.map((d) => ({ rule: "schema", message: plainSchemaMessage(d), line: d.line || undefined }));
    }
    throw error;
  }
}

// ---------------------------------------------------------------- rules layer

function elements(node: XmlDocument | XmlElement, xpath: string): XmlElement[] {
  return node.find(xpath, NS).filter((n): n is XmlElement => "attr" in n);
}

function attr(el: XmlElement, name: string, prefix?: string): string | undefined {
  return el.attr(name, prefix)?.value;
}

function lineOf(node: XmlNode): number | undefined {
  return node.line || undefined;
}

/** Checks every URL against PUBLIC_URL and the routes the server serves. */
function checkUrl(issues: ManifestIssue[], where: string, value: string | undefined, base: string, allowed: readonly string[], line?: number) {
  if (!value) {
    issues.push({ rule: "url", message: `${where} has no URL.`, line });
    return;
  }
  if (!value.startsWith("https://")) {
    issues.push({ rule: "url", message: `${where} is "${value}": Outlook only loads add-in pages and icons over https.`, line });
    return;
  }
  if (!value.startsWith(`${base}/`)) {
    issues.push({ rule: "url", message: `${where} is "${value}", which is not under the public URL ${base}.`, line });
    return;
  }
  const route = value.slice(base.length).split(/[?#]/)[0]!;
  if (!allowed.includes(route)) {
    issues.push({ rule: "url", message: `${where} is "${value}", but the server serves only ${allowed.map((r) => base + r).join(", ")} for it.`, line });
  }
}

function ruleIssues(doc: XmlDocument, info: ManifestInfo | undefined, base: string): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const icons = MANIFEST_ROUTES.icons;
  const pages = [MANIFEST_ROUTES.taskpane, MANIFEST_ROUTES.commands];

  if (!base.startsWith("https://")) {
    issues.push({ rule: "public-url", message: `The public URL ${base} is not https: Outlook refuses add-ins served over http.` });
  }

  // Top level, as office-addin-manifest reads it.
  if (info) {
    if (!info.id || !GUID.test(info.id)) issues.push({ rule: "id", message: `<Id> is "${info.id ?? ""}": it must be a GUID.` });
    if (!info.version || !OFFICE_VERSION.test(info.version)) {
      issues.push({ rule: "version", message: `<Version> is "${info.version ?? ""}": use one to four dot-separated numbers, e.g. 1.0.0.0.` });
    }
    if (!info.providerName?.trim()) issues.push({ rule: "provider", message: "<ProviderName> is missing or empty." });
    if (!info.displayName?.trim()) issues.push({ rule: "display-name", message: "<DisplayName> is missing or empty." });
    if (info.officeAppType !== "MailApp") issues.push({ rule: "type", message: `xsi:type is "${info.officeAppType ?? ""}": this is a mail add-in (MailApp).` });
    if (!info.hosts?.includes("Mailbox")) issues.push({ rule: "hosts", message: "<Hosts> must contain <Host Name=\"Mailbox\"/>." });
    if (info.permissions !== "ReadItem") {
      issues.push({ rule: "permissions", message: `<Permissions> is "${info.permissions ?? ""}": the pane only reads the open message, so it asks for ReadItem.` });
    }
    checkUrl(issues, "<IconUrl>", info.iconUrl, base, icons);
    checkUrl(issues, "<HighResolutionIconUrl>", info.highResolutionIconUrl, base, icons);
    if (info.supportUrl !== undefined && !info.supportUrl.startsWith("https://")) {
      issues.push({ rule: "url", message: `<SupportUrl> is "${info.supportUrl}": it must be https.` });
    }
    for (const domain of info.appDomains ?? []) {
      let ok = false;
      try {
        const u = new URL(domain);
        ok = u.protocol === "https:" && u.origin === domain.replace(/\/$/, "");
      } catch {
        ok = false;
      }
      if (!ok) issues.push({ rule: "app-domains", message: `<AppDomain> "${domain}" must be an https origin such as ${new URL(base).origin}.` });
    }
  }

  // Legacy FormSettings may carry several forms; each source must be the pane.
  for (const el of elements(doc, "/o:OfficeApp/o:FormSettings//o:SourceLocation")) {
    checkUrl(issues, "<FormSettings> SourceLocation", attr(el, "DefaultValue"), base, [MANIFEST_ROUTES.taskpane], lineOf(el));
  }

  const minVersion = elements(doc, "/o:OfficeApp/o:Requirements/o:Sets/o:Set[@Name='Mailbox' or @Name='MailBox']")[0];
  if (!minVersion || compareVersions(attr(minVersion, "MinVersion") ?? "1.1", "1.5") < 0) {
    issues.push({ rule: "requirements", message: "<Requirements> must ask for Mailbox 1.5 (the pinned pane follows the selection with ItemChanged)." });
  }

  const overrides = elements(doc, "/o:OfficeApp/mo:VersionOverrides/mo11:VersionOverrides");
  if (overrides.length === 0) {
    issues.push({ rule: "version-overrides", message: "No VersionOverrides 1.1 inside VersionOverrides 1.0: the pinnable task pane button needs it." });
  }

  // Ids of tabs' groups and controls share one namespace in the ribbon.
  const controlIds = new Map<string, number>();
  for (const el of elements(doc, "//mo:Group | //mo:Control | //mo11:Group | //mo11:Control")) {
    const id = attr(el, "id") ?? "";
    controlIds.set(id, (controlIds.get(id) ?? 0) + 1);
  }
  for (const [id, count] of controlIds) {
    if (count > 1) issues.push({ rule: "control-ids", message: `The group/control id "${id}" is used ${count} times: ids must be unique.` });
  }

  for (const vo of overrides) {
    const kinds = new Map<string, { kind: string; line?: number }>();
    const resources: [string, string][] = [
      ["mo11:Resources/bt:Images/bt:Image", "image"],
      ["mo11:Resources/bt:Urls/bt:Url", "url"],
      ["mo11:Resources/bt:ShortStrings/bt:String", "short string"],
      ["mo11:Resources/bt:LongStrings/bt:String", "long string"],
    ];
    for (const [xpath, kind] of resources) {
      for (const el of elements(vo, xpath)) {
        const id = attr(el, "id") ?? "";
        if (kinds.has(id)) {
          issues.push({ rule: "resid", message: `Duplicate resource id "${id}" (a ${kind}; already defined as a ${kinds.get(id)!.kind}): each resid must be unique.`, line: lineOf(el) });
        } else {
          kinds.set(id, { kind, line: lineOf(el) });
        }
        if (id.length > MAX_RESID_LENGTH) {
          issues.push({ rule: "resid", message: `The resource id "${id}" is longer than ${MAX_RESID_LENGTH} characters.`, line: lineOf(el) });
        }
        const value = attr(el, "DefaultValue");
        if (kind === "image") checkUrl(issues, `Image resource "${id}"`, value, base, icons, lineOf(el));
        if (kind === "url") checkUrl(issues, `URL resource "${id}"`, value, base, pages, lineOf(el));
        if ((kind === "short string" && (value?.length ?? 0) > 125) || (kind === "long string" && (value?.length ?? 0) > 250)) {
          issues.push({ rule: "strings", message: `The ${kind} "${id}" is too long for Outlook.`, line: lineOf(el) });
        }
      }
    }

    // Every resid reference must resolve to a resource of the right kind.
    const expectKind: [string, string][] = [
      [".//mo11:Label | .//mo11:Supertip/mo11:Title", "short string"],
      [".//mo11:Supertip/mo11:Description", "long string"],
      [".//mo11:Icon/bt:Image", "image"],
      [".//mo11:SourceLocation | .//mo11:FunctionFile", "url"],
    ];
    for (const [xpath, kind] of expectKind) {
      for (const el of elements(vo, xpath)) {
        const ref = attr(el, "resid") ?? "";
        const found = kinds.get(ref);
        if (!found) issues.push({ rule: "resid", message: `<${el.name} resid="${ref}"> refers to no resource.`, line: lineOf(el) });
        else if (found.kind !== kind) issues.push({ rule: "resid", message: `<${el.name} resid="${ref}"> needs a ${kind} but "${ref}" is a ${found.kind}.`, line: lineOf(el) });
      }
    }
    for (const el of elements(vo, ".//mo11:SourceLocation")) {
      const url = elements(vo, `mo11:Resources/bt:Urls/bt:Url[@id='${attr(el, "resid") ?? ""}']`)[0];
      const value = url && attr(url, "DefaultValue");
      if (value && value !== `${base}${MANIFEST_ROUTES.taskpane}`) {
        issues.push({ rule: "url", message: `The task pane button opens "${value}" instead of ${base}${MANIFEST_ROUTES.taskpane}.`, line: lineOf(el) });
      }
    }

    const readSurface = elements(vo, ".//mo11:ExtensionPoint[@xsi:type='MessageReadCommandSurface']");
    if (readSurface.length === 0) {
      issues.push({ rule: "extension-point", message: "No MessageReadCommandSurface extension point: the button must appear when reading a message." });
    }
    for (const action of elements(vo, ".//mo11:Action[@xsi:type='ShowTaskpane']")) {
      const pin = elements(action, "mo11:SupportsPinning")[0];
      if (!pin || pin.content.trim() !== "true") {
        issues.push({ rule: "pinning", message: "The ShowTaskpane action must have <SupportsPinning>true</SupportsPinning> so the pane can follow the selection.", line: lineOf(action) });
      }
    }
  }
  return issues;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// ---------------------------------------------------------------- entry points

/** office-addin-manifest reads from a path, so a manifest given as text goes through a temporary file. */
async function readInfo(xml: string): Promise<ManifestInfo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifest-"));
  const file = path.join(dir, "manifest.xml");
  try {
    fs.writeFileSync(file, xml);
    return await OfficeAddinManifest.readManifestFile(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function validateManifestXml(xml: string, options: ValidateOptions = {}): Promise<ManifestValidationResult> {
  const base = normalisePublicUrl(options.publicUrl ?? DEFAULT_PUBLIC_URL);
  const xsdDir = options.xsdDir ?? defaultXsdDir();
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { url: "manifest.xml" });
  } catch (error) {
    if (error instanceof XmlLibError) {
      return { valid: false, issues: error.details.map((d) => ({ rule: "xml", message: `Not well-formed XML: ${d.message.trim()}`, line: d.line })) };
    }
    throw error;
  }
  try {
    const issues = schemaIssues(doc, xsdDir);
    let info: ManifestInfo | undefined;
    try {
      info = await readInfo(xml);
    } catch (error) {
      issues.push({ rule: "parse", message: `office-addin-manifest could not read the manifest: ${(error as Error).message}` });
    }
    issues.push(...ruleIssues(doc, info, base));
    return { valid: issues.length === 0, issues, info };
  } finally {
    doc.dispose();
  }
}

export async function validateManifestFile(file: string, options: ValidateOptions = {}): Promise<ManifestValidationResult> {
  return validateManifestXml(fs.readFileSync(file, "utf8"), options);
}

export function formatIssues(issues: ManifestIssue[]): string {
  return issues.map((i) => `  ✖ ${i.line ? `line ${i.line}: ` : ""}${i.message} [${i.rule}]`).join("\n");
}
