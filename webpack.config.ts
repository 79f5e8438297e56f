/**
 * Builds the task pane (addin/) into dist/addin/. Run through scripts/build-addin.ts (`npm run build`), which
 * imports this TypeScript config under tsx and drives webpack's Node API, so no ts-node/webpack-cli loader is
 * involved.
 *
 * Pages (served by the server under /addin/):
 *   taskpane.html       the pane (React + Fluent UI)
 *   commands.html       the manifest's FunctionFile
 *   auth-redirect.html  MSAL's popup redirect bridge
 *   pages.html          customer list, customer profile and the Impact dashboard (addin/pages/)
 * office.js is NOT bundled: the pages load office/office.js, which the server serves from @microsoft/office-js.
 */
import fs from "node:fs";
import path from "node:path";
import HtmlWebpackPlugin from "html-webpack-plugin";
import { EsbuildPlugin } from "esbuild-loader";
import webpack, { type Configuration } from "webpack";

const root = import.meta.dirname;

export interface AddinBuildOptions {
  /** Default: <repo>/dist/addin */
  outDir?: string;
  mode?: "production" | "development";
}

/** Copies the committed icons into assets/ (the manifest and the pane both use them). */
class CopyIconsPlugin {
  constructor(private readonly from: string) {}
  apply(compiler: webpack.Compiler) {
    compiler.hooks.thisCompilation.tap("CopyIconsPlugin", (compilation) => {
      compilation.hooks.processAssets.tap({ name: "CopyIconsPlugin", stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const name of fs.readdirSync(this.from).filter((n) => n.endsWith(".png"))) {
          const file = path.join(this.from, name);
          compilation.fileDependencies.add(file);
          compilation.emitAsset(`assets/${name}`, new webpack.sources.RawSource(fs.readFileSync(file)));
        }
      });
    });
  }
}

export default function createConfig(options: AddinBuildOptions = {}): Configuration {
  const mode = options.mode ?? "production";
  const page = (template: string, chunks: string[]) =>
    new HtmlWebpackPlugin({
      template: path.join(root, "addin", template),
      filename: path.basename(template),
      chunks,
      scriptLoading: "defer",
      inject: "head",
      minify: mode === "production" ? { collapseWhitespace: true, removeComments: true } : false,
    });

  return {
    mode,
    context: root,
    target: ["web", "es2020"],
    entry: {
      taskpane: "./addin/index.tsx",
      commands: "./addin/commands.ts",
      "auth-redirect": "./addin/auth/redirect.ts",
      pages: "./addin/pages/index.tsx",
    },
    output: {
      path: options.outDir ?? path.join(root, "dist", "addin"),
      // Relative URLs: the pages work wherever the server mounts /addin (PUBLIC_URL may carry a path).
      publicPath: "",
      filename: mode === "production" ? "[name].[contenthash:8].js" : "[name].js",
      chunkFilename: mode === "production" ? "[name].[contenthash:8].js" : "[name].js",
      clean: true,
    },
    resolve: {
      extensions: [".tsx", ".ts", ".mjs", ".js"],
    },
    module: {
      rules: [
        {
          test: /\.[cm]?[jt]sx?$/,
          exclude: /node_modules/,
          loader: "esbuild-loader",
          options: { target: "es2020", jsx: "automatic", tsconfig: path.join(root, "tsconfig.json") },
        },
      ],
    },
    // office.js is a global provided by the page, never an import.
    externals: { "office-js": "Office" },
    plugins: [
      page("taskpane.html", ["taskpane"]),
      page("commands.html", ["commands"]),
      page("auth-redirect.html", ["auth-redirect"]),
      page("pages/pages.html", ["pages"]),
      new CopyIconsPlugin(path.join(root, "addin", "assets")),
      new webpack.DefinePlugin({ "process.env.NODE_ENV": JSON.stringify(mode) }),
    ],
    optimization: {
      minimize: mode === "production",
      minimizer: [new EsbuildPlugin({ target: "es2020", legalComments: "none" })],
      // Tree shaking relies on ESM + sideEffects flags (Fluent UI, MSAL and React are marked).
      usedExports: true,
      sideEffects: true,
    },
    devtool: mode === "production" ? false : "eval-source-map",
    // The build script enforces the gzipped budget itself; webpack's uncompressed hint is noise.
    performance: { hints: false },
    stats: "errors-warnings",
  };
}
