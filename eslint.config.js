// ESLint (flat config): typescript-eslint, react-hooks, jsx-a11y and import order, with Prettier
// owning the layout (eslint-config-prettier turns off the rules it would fight).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { flatConfigs as importX } from "eslint-plugin-import-x";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["build/", "public/build/", "node_modules/", "bench/.work/", "test-results/", "data/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  jsxA11y.flatConfigs.recommended,
  {
    files: ["**/*.{ts,tsx,js,mjs}"],
    languageOptions: { globals: { ...globals.node } },
    plugins: { "react-hooks": reactHooks, "import-x": importX.recommended.plugins["import-x"] },
    rules: {
      // The two classic rules (as epic-stack uses them); v7's React Compiler rules wait for the compiler.
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      // Sign-in and password forms exist for one field: focusing it is what their users expect.
      "jsx-a11y/no-autofocus": "off",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "import-x/order": [
        "error",
        {
          groups: ["builtin", "external", "internal", ["parent", "sibling", "index"]],
          pathGroups: [{ pattern: "~/**", group: "internal" }],
          pathGroupsExcludedImportTypes: ["builtin"],
          "newlines-between": "always",
          alphabetize: { order: "asc", caseInsensitive: true },
        },
      ],
    },
  },
  {
    files: ["app/components/**/*.tsx", "app/routes/**/*.tsx", "app/root.tsx"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Domain modules import no React components (issue 10): what they render with is handed in by the
    // composition root (app/context.server.ts, app/mdx-renderer.server.ts), never imported.
    files: ["app/modules/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(~|\\.\\.(/\\.\\.)*)/components(/|$)",
              message:
                "app/modules must not import React components (app/components). Take what you need as a parameter and let the composition root (app/context.server.ts, app/mdx-renderer.server.ts) hand it in.",
            },
          ],
        },
      ],
    },
  },
  prettier,
);
