import { defineConfig } from "vitest/config";

// Several tests run whole cells, a worker pool or child processes: give them room on a loaded 2-core machine.
export default defineConfig({
  test: { include: ["src/**/*.test.ts"], setupFiles: ["reflect-metadata"], passWithNoTests: true, testTimeout: 60_000 },
});
