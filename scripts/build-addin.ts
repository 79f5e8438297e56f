/**
 * `npm run build`: builds the task pane into dist/addin/ with webpack (webpack.config.ts, loaded by tsx) and
 * writes dist/manifest.xml for the configured PUBLIC_URL (default https://localhost:3000), validated offline.
 * Fails when the pane's JavaScript exceeds its budget of 250 KB gzipped.
 *
 * Env: PUBLIC_URL (the server's public https URL; the manifest's URLs point under it).
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import webpack, { type Stats } from "webpack";
import createConfig from "../webpack.config";
import { DEFAULT_PUBLIC_URL, formatIssues, normalisePublicUrl, renderManifest, validateManifestXml } from "./manifest/validate";

export const PANE_BUDGET_BYTES = 250 * 1024;

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");
const outDir = path.join(dist, "addin");

function runWebpack(config: webpack.Configuration): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const compiler = webpack(config);
    compiler.run((error, stats) => {
      compiler.close(() => {
        if (error) reject(error);
        else if (!stats) reject(new Error("webpack returned no stats"));
        else resolve(stats);
      });
    });
  });
}

/** Gzipped size of everything the task pane page loads (its entry chunks and their lazy chunks). */
function paneJavaScript(stats: Stats): { files: string[]; gzipBytes: number; rawBytes: number } {
  const entry = stats.compilation.entrypoints.get("taskpane");
  if (!entry) throw new Error("webpack produced no taskpane entry point");
  const files = new Set<string>();
  for (const chunk of entry.chunks) {
    for (const f of chunk.files) files.add(f);
    for (const lazy of chunk.getAllAsyncChunks()) for (const f of lazy.files) files.add(f);
  }
  const js = [...files].filter((f) => f.endsWith(".js")).sort();
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const f of js) {
    const buf = fs.readFileSync(path.join(outDir, f));
    rawBytes += buf.length;
    gzipBytes += zlib.gzipSync(buf, { level: 9 }).length;
  }
  return { files: js, gzipBytes, rawBytes };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function main() {
  const publicUrl = normalisePublicUrl(process.env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL);
  const started = Date.now();
  const stats = await runWebpack(createConfig({ outDir }));
  if (stats.hasErrors()) {
    console.error(stats.toString({ colors: false, all: false, errors: true, errorDetails: true }));
    process.exit(1);
  }
  if (stats.hasWarnings()) console.warn(stats.toString({ colors: false, all: false, warnings: true }));

  const pane = paneJavaScript(stats);
  console.log(`✔ pane built into ${path.relative(root, outDir)}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`  pane JavaScript: ${pane.files.join(", ")} = ${kb(pane.rawBytes)} raw, ${kb(pane.gzipBytes)} gzipped (budget ${kb(PANE_BUDGET_BYTES)})`);
  fs.writeFileSync(
    path.join(dist, "addin-size.json"),
    JSON.stringify({ files: pane.files, rawBytes: pane.rawBytes, gzipBytes: pane.gzipBytes, budgetBytes: PANE_BUDGET_BYTES }, null, 2),
  );
  if (pane.gzipBytes > PANE_BUDGET_BYTES) {
    console.error(`✖ the pane's JavaScript is over budget by ${kb(pane.gzipBytes - PANE_BUDGET_BYTES)} gzipped`);
    process.exit(1);
  }

  const manifest = renderManifest(fs.readFileSync(path.join(root, "manifest.xml"), "utf8"), publicUrl);
  const result = await validateManifestXml(manifest, { publicUrl });
  if (!result.valid) {
    console.error(`✖ the manifest for ${publicUrl} is not valid:\n${formatIssues(result.issues)}`);
    process.exit(1);
  }
  fs.writeFileSync(path.join(dist, "manifest.xml"), manifest);
  console.log(`✔ ${path.relative(root, path.join(dist, "manifest.xml"))} written and validated for ${publicUrl}`);
}

await main();
