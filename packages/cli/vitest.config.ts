import { defineConfig } from "vitest/config";

// The library and process tests run whole scenarios and spawn the real binary: give them room on
// a loaded 2-core machine.
export default defineConfig({
  test: { include: ["src/**/*.test.ts"], setupFiles: ["reflect-metadata"], testTimeout: 60_000 },
});
