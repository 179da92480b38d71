// One linter: type-aware rules where they catch real bugs (a floating
// promise in a Temporal workflow or an activity is a silent failure), plus
// the import direction rules of docs/architecture.md (also checked by
// scripts/architecture.test.ts).
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", ".next/**", "cli/dist/**", ".data/**", "test-results/**", "bench/results/**", "**/*.generated.ts", "next-env.d.ts"] },
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      "@typescript-eslint/await-thenable": "error",
    },
  },
  {
    files: ["workflows/temporal/*workflow*.ts", "workflows/temporal/workflows.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "path", "crypto", "os", "child_process", "http", "net"], message: "workflow code must be deterministic: no Node builtins" },
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
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/server/**", "**/db/**", "server-only"], allowTypeImports: true, message: "browser code never imports server/ or db/" }] }],
    },
  },
);
