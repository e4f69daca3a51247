// node tools/node/doc-options.mjs MEMSAFE FILE...
// node tools/node/doc-options.mjs --lists-tests < LISTING   (see listsTests)
//
// The docs' usage of memsafe, checked against the tool's own: every `memsafe COMMAND
// [SUBCOMMAND] ... --option` a Markdown FILE writes in a code span or a ```sh block must
// name a command MEMSAFE has, and options that command's --help lists. `--help` is the one
// usage text of each command; this keeps the docs from drifting away from it (an option
// renamed or removed, a command that never existed). Prints "file:line: problem" for each,
// and exits 1 when there is one; 2 on bad usage.
//
// What is read: the words after a `memsafe` that starts a command (at the start of the
// span or line, or after a space, `(` or `/`, so build/dev/tools/memsafe/memsafe counts
// and memsafe_add_test does not), up to the end of the span, a pipe or a `;`. A first word
// that is not a plain lower-case word (`memsafe CONFIG)`) is not a command and is skipped;
// an option with a placeholder (`--<flag>`) is not checked. An option counts as listed
// only in the options column of the help (CLI11's "  --name" or "  -h,--name").
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { argv, exit, stdin } from "node:process";
import { fileURLToPath } from "node:url";

// Each mention of memsafe in the code of a Markdown text: its line and its words. Code is
// every fenced block (a line ending in \ continues on the next) and every code span,
// also one that a paragraph wraps over two lines.
export function mentions(text) {
  const found = [];
  const scan = (code, line) => {
    for (const match of code.matchAll(/(?:^|[\s(/])memsafe[ \t]+([^|;`]*)/g)) {
      found.push({ line, words: match[1].trim().split(/\s+/).filter((w) => w !== "") });
    }
  };
  const lines = text.split("\n");
  let fence = null; // the fence's language while inside one
  let paragraph = []; // lines outside fences, up to a blank line: [line number, text]
  let pending = null; // a fenced line continued with \
  const flush = () => {
    const joined = paragraph.map(([, content]) => content).join("\n");
    for (const span of joined.matchAll(/`([^`]+)`/g)) {
      const line = paragraph[0][0] + (joined.slice(0, span.index).match(/\n/g) ?? []).length;
      scan(span[1].replace(/\n/g, " "), line);
    }
    paragraph = [];
  };
  lines.forEach((content, index) => {
    const fenceLine = content.match(/^\s*```\s*(\S*)/);
    if (fenceLine) {
      if (fence === null) {
        if (paragraph.length) flush();
        fence = fenceLine[1];
      } else {
        fence = null;
      }
      return;
    }
    if (fence !== null) {
      if (fence === "sh" && /^\s*#/.test(content)) return; // a shell comment
      const start = pending ? pending.line : index + 1;
      const code = (pending ? pending.code + " " : "") + content;
      if (code.endsWith("\\")) {
        pending = { line: start, code: code.slice(0, -1) };
        return;
      }
      pending = null;
      scan(code, start);
      return;
    }
    if (content.trim() === "") {
      if (paragraph.length) flush();
    } else {
      paragraph.push([index + 1, content]);
    }
  });
  if (paragraph.length) flush();
  return found;
}

// The subcommands a --help text lists (CLI11's "Subcommands:" section).
export function subcommands(help) {
  const section = help.split(/\n(?=\S)/).find((part) => part.startsWith("Subcommands:"));
  if (!section) return [];
  return section
    .split("\n")
    .slice(1)
    .map((line) => line.match(/^\s+([a-z][a-z-]*)/))
    .filter(Boolean)
    .map((m) => m[1]);
}

// The problems of one mention, with helpOf(path) giving the --help text of a command path
// (["check"], ["suppressions", "lint"]), or null when it fails.
export function problemsOf(mention, helpOf) {
  const [command, ...rest] = mention.words;
  if (!command || !/^[a-z][a-z-]*$/.test(command)) return [];
  // `memsafe nosuch --help` prints memsafe's own help: a command's help has its own usage
  // line (also for the launcher's commands, which memsafe --help does not list).
  const path = [command];
  let help = helpOf(path);
  if (help === null || help.match(/^Usage: \S*memsafe ([a-z-]+)/m)?.[1] !== command) {
    return [`memsafe ${command}: no such command`];
  }
  if (rest.length > 0 && subcommands(help).includes(rest[0])) {
    path.push(rest.shift());
    help = helpOf(path);
  }
  const problems = [];
  for (const word of rest) {
    // `[--memory-checks]`, `--slow,` and `--slow.` in prose are the option itself.
    const option = word.replace(/^[[(]+/, "").match(/^(--[a-z0-9][a-z0-9-]*)(?:=[^\]]*)?[\]),.]*$/);
    if (!option) continue;
    // Only the options column counts: a description that mentions another command's
    // option ("see memsafe check --memory-checks") is not this command's.
    const listed = new RegExp(`^\\s+(?:-[A-Za-z0-9],)?${option[1]}(?![a-z0-9-])`, "m");
    if (!listed.test(help)) problems.push(`memsafe ${path.join(" ")}: --help lists no ${option[1]}`);
  }
  return problems;
}

// Whether a `ctest --show-only=json-v1` listing has a test: the docs test lists a
// documented ctest command's tests instead of running them, and a listing of none (a
// preset nobody built) must fail it as a run with --no-tests=error would.
export function listsTests(listing) {
  try {
    const tests = JSON.parse(listing).tests;
    return Array.isArray(tests) && tests.length > 0;
  } catch {
    return false;
  }
}

function main(args) {
  if (args[0] === "--lists-tests") {
    // node doc-options.mjs --lists-tests < listing: exit 1 when it lists no test.
    let listing = "";
    stdin.setEncoding("utf8");
    stdin.on("data", (chunk) => (listing += chunk));
    stdin.on("end", () => {
      const ok = listsTests(listing);
      if (!ok) console.error("ctest lists no test");
      exit(ok ? 0 : 1);
    });
    return;
  }
  if (args.length < 2) {
    console.error("USAGE: node tools/node/doc-options.mjs MEMSAFE FILE...");
    exit(2);
  }
  const [tool, ...files] = args;
  const helps = new Map();
  const helpOf = (path) => {
    const key = path.join(" ");
    if (!helps.has(key)) {
      try {
        helps.set(key, execFileSync(tool, [...path, "--help"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
      } catch {
        helps.set(key, null); // CLI11 refuses an unknown command with exit 2
      }
    }
    return helps.get(key);
  };
  let problems = 0;
  let checked = 0;
  for (const file of files) {
    for (const mention of mentions(readFileSync(file, "utf8"))) {
      checked++;
      for (const problem of problemsOf(mention, helpOf)) {
        console.log(`${file}:${mention.line}: ${problem}`);
        problems++;
      }
    }
  }
  console.log(`doc options: ${checked} mentions of memsafe in ${files.length} files, ${problems} problem(s)`);
  exit(problems ? 1 : 0);
}

if (fileURLToPath(import.meta.url) === argv[1]) main(argv.slice(2));
