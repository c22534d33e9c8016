#!/usr/bin/env node
// The `pinlab` command as npm links it (node_modules/.bin/pinlab). The CLI itself is compiled to
// dist/bin/pinlab.js by the build; this launcher is committed so that `npm install` can link the
// command before anything is built, and says what to do when the build has not run yet.
import { existsSync } from "node:fs";

const cli = new URL("../dist/bin/pinlab.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("pinlab: the command is not built yet: run `npm run build` at the workspace root (`npm start` builds too)\n");
  process.exit(2);
}
await import(cli.href);
