// Flat config. The import boundaries below are the architecture's (architecture.mjs; docs/architecture.md).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import { forbiddenFor, PARTS } from "./architecture.mjs";

const restrict = (files, patterns) => ({ files, rules: { "no-restricted-imports": ["error", { patterns }] } });

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/.next/**", "**/dist/**", "packages/db/src/generated/**", "apps/web/next-env.d.ts"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ["**/*.mjs", "**/*.js", "**/*.cjs"], languageOptions: { globals: globals.node } },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "TSAsExpression > TSAsExpression > TSUnknownKeyword", message: "No `as unknown as`: parse with zod." },
      ],
    },
  },
  // Generated from architecture.mjs (the one list the docs table and the package.json files are checked against).
  ...Object.keys(PARTS).map((part) => restrict([`${part}/**`], forbiddenFor(part))),
  ...Object.keys(PARTS).map((part) => restrict([`${part}/test/**`], forbiddenFor(part, { tests: true }))),
);
