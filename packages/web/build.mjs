// Bundles the meeting app into public/app.js. Run from anywhere: `node packages/web/build.mjs`.
// Workspace packages resolve to their TypeScript sources through the `source` export condition.
import { stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const publicDir = join(here, "public");

const result = await build({
  entryPoints: [join(here, "src/main.ts")],
  outfile: join(publicDir, "app.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  conditions: ["source"],
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});

// index.html and app.css are hand-written files in public/; fail loudly if one went missing.
for (const file of ["index.html", "app.css"]) await stat(join(publicDir, file));

const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`web: public/app.js ${(bytes / 1024).toFixed(1)} KiB`);
