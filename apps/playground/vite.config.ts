import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "./",
  // The model (zod, yaml, the kernel) is most of the bundle; one chunk loads fastest offline. Plugins
  // may import anything of core and zod (src/model/shared-modules.ts), so both are bundled whole.
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1900 },
  test: { include: ["src/**/*.test.ts"], setupFiles: ["reflect-metadata"], isolate: false },
});
