import { defineConfig } from "vitest/config";

export default defineConfig({
  // The row tables build a few thousand kernels; on a loaded 2-core machine a test can pass 5 s.
  test: { include: ["src/**/*.test.ts"], setupFiles: ["reflect-metadata"], passWithNoTests: true, testTimeout: 20_000 },
});
