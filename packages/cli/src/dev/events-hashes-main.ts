/**
 * `npm run hashes` (`node packages/cli/dist/dev/events-hashes-main.js [--update] [--save FILE] [--against FILE]`):
 * compute the eventsHash of every library scenario x policy (the plugin libraries' too) and compare it with the committed
 * fingerprint (or `--against FILE`); `--update` rewrites the committed one, `--save FILE` writes
 * the current fingerprint elsewhere (to compare two trees). Exit 0 when they agree (or after
 * writing), 1 when they differ, 2 for bad arguments.
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeDiff, diffHashes, libraryEventsHashes, type EventsHashes } from "./events-hashes.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..", "..", "..");
/** The committed fingerprint (in the sources, beside this module). */
const COMMITTED = join(root, "packages", "cli", "src", "dev", "library-events-hashes.json");

async function main(argv: readonly string[]): Promise<number> {
  let update = false;
  let save: string | undefined;
  let against = COMMITTED;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--update") update = true;
    else if (a === "--save" && argv[i + 1] !== undefined) save = resolve(argv[++i]);
    else if (a === "--against" && argv[i + 1] !== undefined) against = resolve(argv[++i]);
    else {
      process.stderr.write(`hashes: unknown argument "${a}"; usage: npm run hashes -- [--update] [--save FILE] [--against FILE]\n`);
      return 2;
    }
  }
  const t0 = performance.now();
  const now = await libraryEventsHashes(join(root, "scenarios"));
  const took = `${Object.keys(now).length} runs in ${Math.round(performance.now() - t0)} ms`;
  const text = `${JSON.stringify(now, null, 2)}\n`;
  if (save !== undefined || update) {
    const file = save ?? COMMITTED;
    writeFileSync(file, text);
    process.stdout.write(`hashes: wrote ${file} (${took})\n`);
    return 0;
  }
  if (!existsSync(against)) {
    process.stderr.write(`hashes: ${against} does not exist; write it with --update or --save\n`);
    return 2;
  }
  const before = JSON.parse(readFileSync(against, "utf8")) as EventsHashes;
  const lines = describeDiff(diffHashes(before, now));
  if (lines.length === 0) {
    process.stdout.write(`hashes: every eventsHash matches ${against} (${took})\n`);
    return 0;
  }
  process.stdout.write(`hashes: ${lines.length} run(s) differ from ${against} (${took}):\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
