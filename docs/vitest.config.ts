import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["check/**/*.test.ts"], setupFiles: ["reflect-metadata"], testTimeout: 60_000 },
});
