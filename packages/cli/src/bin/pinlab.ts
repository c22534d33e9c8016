#!/usr/bin/env node
import "reflect-metadata";
import { main } from "../main.js";
import { processIo } from "../io.js";

// A closed pipe (`pinlab list | head`) is not an error.
for (const s of [process.stdout, process.stderr]) {
  s.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2), processIo());
