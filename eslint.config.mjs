// The linter: ESLint's and typescript-eslint's recommended rules for TypeScript, which the
// Pulumi anchors (pulumi-awsx, pulumi-eks) build on, without the rules a formatter owns
// (Prettier formats; .prettierrc.json). `npm test` runs it beside the type-check.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "**/*.d.ts", "tests/fixtures/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // `any` is allowed where the SDK's own types are `any` (ARM templates, policy props).
            "@typescript-eslint/no-explicit-any": "off",
            // Unused names are refused by the type-check (noUnusedLocals, noUnusedParameters).
            "@typescript-eslint/no-unused-vars": "off",
            // Pulumi's Node.js host loads CommonJS; lazy loads use require on purpose.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        files: ["**/*.js", "**/*.mjs"],
        languageOptions: {
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
        },
    },
);
