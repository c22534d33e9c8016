import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "./",
  // The model (zod, yaml, the kernel) is most of the bundle; one chunk loads fastest offline.
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1500 },
  test: { include: ["src/**/*.test.ts"], setupFiles: ["reflect-metadata"], isolate: false },
});
