// `make lint` (npm run lint): eslint's recommended rules, plus the three that
// keep one style across frontend/: const or let, never var, and ===.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: "error",
    },
  },
  { files: ["frontend/**/*.js"], languageOptions: { globals: globals.browser } },
  { files: ["tests/js/**/*.mjs", "eslint.config.js"], languageOptions: { globals: globals.node } },
];
