/**
 * `npm run validate [-- path/to/manifest.xml] [--public-url https://host]`
 *
 * Validates offline (no Microsoft validation service): the official XSDs from ../shared/office-manifest-xsd plus
 * the rules in scripts/manifest/validate.ts. With no path it checks the committed manifest.xml against
 * https://localhost:3000 and, when it exists, dist/manifest.xml against PUBLIC_URL (what `npm run build` wrote).
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_PUBLIC_URL, TEMPLATE_PUBLIC_URL, formatIssues, validateManifestFile } from "./manifest/validate";

const root = path.resolve(import.meta.dirname, "..");
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "public-url": { type: "string" } },
});

const targets: { file: string; publicUrl: string }[] = [];
if (positionals.length > 0) {
  const publicUrl = values["public-url"] ?? process.env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL;
  for (const p of positionals) targets.push({ file: path.resolve(p), publicUrl });
} else {
  targets.push({ file: path.join(root, "manifest.xml"), publicUrl: values["public-url"] ?? TEMPLATE_PUBLIC_URL });
  const built = path.join(root, "dist", "manifest.xml");
  if (fs.existsSync(built)) targets.push({ file: built, publicUrl: values["public-url"] ?? process.env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL });
}

let failed = false;
for (const { file, publicUrl } of targets) {
  const rel = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) {
    console.error(`✖ ${rel}: file not found`);
    failed = true;
    continue;
  }
  const result = await validateManifestFile(file, { publicUrl });
  if (result.valid) {
    console.log(`✔ ${rel} is valid (Office XSDs + add-in rules, public URL ${publicUrl})`);
  } else {
    failed = true;
    console.error(`✖ ${rel} is not valid for public URL ${publicUrl}:\n${formatIssues(result.issues)}`);
  }
}
process.exit(failed ? 1 : 0);
