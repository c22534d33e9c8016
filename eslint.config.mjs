// One flat config for every project; each project's `lint` target runs `eslint src`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.nx/**", "docs-site/**", "pinlab-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { prefer: "type-imports", fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
      "no-console": "off",
      "eqeqeq": ["error", "smart"],
    },
  },
  {
    files: ["**/*.test.ts", "**/e2e/**"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
