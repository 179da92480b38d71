// One linter: typescript-eslint's type-checked recommended rules (a floating
// promise in a Temporal workflow or an activity is a silent failure; `any`
// flowing into product code hides bugs), plus the import direction rules of
// docs/architecture.md (also checked by scripts/architecture.test.ts).
// Formatting is Prettier's (`npm run format`), checked by `npm run lint`.
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      "cli/dist/**",
      ".data/**",
      "test-results/**",
      "bench/results/**",
      "**/*.generated.ts",
      "next-env.d.ts",
      "**/*.mjs",
      "**/*.js",
    ],
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      // Off: an `async` function without `await` is how this code meets a Promise-returning
      // interface (node activities, injected dependencies, fakes); floating promises stay errors.
      "@typescript-eslint/require-await": "off",
      // `_`-prefixed names say "deliberately unused" (destructuring a key away, an unused callback argument).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests, test helpers, benchmarks and browser specs read JSON of shapes they assert on: `any` is the point there.
    files: ["**/*.test.ts", "**/*.test.tsx", "testing/**", "e2e/**", "bench/**"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    files: ["workflows/temporal/*workflow*.ts", "workflows/temporal/workflows.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "fs", "path", "crypto", "os", "child_process", "http", "net"],
              message: "workflow code must be deterministic: no Node builtins",
            },
            { group: ["**/db/**", "**/server/**", "react", "react-dom"], message: "workflow code must not import db/, server/ or React" },
            { group: ["**/activities", "**/nodes/**"], allowTypeImports: true, message: "import only the types of activities in workflow code" },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**/*.ts", "components/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/server/**", "**/db/**", "server-only"], allowTypeImports: true, message: "browser code never imports server/ or db/" }] },
      ],
    },
  },
);
