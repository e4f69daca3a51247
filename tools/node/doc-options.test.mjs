// node --test tools/node/doc-options.test.mjs: the docs' memsafe commands against made-up help texts.
import assert from "node:assert/strict";
import { test } from "node:test";

import { listsTests, mentions, problemsOf, subcommands } from "./doc-options.mjs";

// A memsafe with `check` (--preset, --slow) and `suppressions` (lint: --dir).
const helps = {
  check: "Usage: memsafe check [OPTIONS]\n\nOptions:\n  -h,--help  Print\n  --preset TEXT  presets\n  --slow  thorough\n",
  suppressions: "Usage: memsafe suppressions [OPTIONS] SUBCOMMAND\n\nSubcommands:\n  lint   Check files\n  review  Dates\n",
  "suppressions lint": "Usage: memsafe suppressions lint [OPTIONS]\n\nOptions:\n  --dir TEXT  where\n",
};
const top = "Usage: memsafe [OPTIONS] SUBCOMMAND\n\nSubcommands:\n  check  Run\n  suppressions  Files\n";
const helpOf = (path) => helps[path.join(" ")] ?? top; // as CLI11 does: an unknown command gets memsafe's help
const problems = (text) => mentions(text).flatMap((m) => problemsOf(m, helpOf).map((p) => `${m.line}: ${p}`));

test("an option the command's help lists passes, with or without a value", () => {
  assert.deepEqual(problems("Run `memsafe check --preset=asan --slow` or `memsafe check --preset asan`."), []);
});

test("an option the help does not list, or lists only as a longer one, is a problem", () => {
  assert.deepEqual(problems("`memsafe check --fast` and `memsafe check --pre`"), [
    "1: memsafe check: --help lists no --fast",
    "1: memsafe check: --help lists no --pre",
  ]);
});

test("a subcommand's options are its own, a positional word is not a subcommand", () => {
  assert.deepEqual(problems("`memsafe suppressions lint --dir x`"), []);
  assert.deepEqual(problems("`memsafe suppressions lint --slow`"), ["1: memsafe suppressions lint: --help lists no --slow"]);
  assert.deepEqual(problems("`memsafe suppressions unused build`"), []);
  assert.deepEqual(subcommands(helps.suppressions), ["lint", "review"]);
});

test("a command memsafe does not have is a problem, though its --help printed memsafe's own", () => {
  assert.deepEqual(problems("`memsafe chek --slow`"), ["1: memsafe chek: no such command"]);
});

test("every fenced block counts by line, continued lines too; shell comments do not", () => {
  const text =
    "```sh\n# memsafe chek\nbuild/dev/tools/memsafe/memsafe check --fast | cat\nmemsafe check --slow \\\n  --fast2\n```\n" +
    "```text\nmemsafe chek --x\n```\n";
  assert.deepEqual(problems(text), [
    "3: memsafe check: --help lists no --fast",
    "4: memsafe check: --help lists no --fast2",
    "8: memsafe chek: no such command",
  ]);
});

test("a code span wrapped over two lines of a paragraph counts at its first line", () => {
  assert.deepEqual(problems("Run\nthe `memsafe check\n--fast` run.\n\n`memsafe check --slow`"), [
    "2: memsafe check: --help lists no --fast",
  ]);
});

test("an option in brackets or before a comma or period is the option", () => {
  assert.deepEqual(problems("`memsafe check [--slow] [--fast]` and `memsafe check --preset=a, --fast.`"), [
    "1: memsafe check: --help lists no --fast",
    "1: memsafe check: --help lists no --fast",
  ]);
});

test("an option only a description mentions is not listed", () => {
  const described = "Usage: memsafe bisect [OPTIONS]\n\nOptions:\n  --good TEXT  runs memsafe check --slow\n";
  const helpOfBisect = (path) => (path.join(" ") === "bisect" ? described : helpOf(path));
  assert.deepEqual(problemsOf({ line: 1, words: ["bisect", "--good", "--slow"] }, helpOfBisect), [
    "memsafe bisect: --help lists no --slow",
  ]);
});

test("words that are not a command, and placeholders, are left alone", () => {
  assert.deepEqual(problems("`find_package(memsafe CONFIG)` `memsafe_add_test(x)` `memsafe check --<flag>`"), []);
});

test("a ctest listing passes only when it has a test", () => {
  assert.equal(listsTests('{"kind":"ctestInfo","tests":[{"name":"a"}]}'), true);
  assert.equal(listsTests('{"kind":"ctestInfo","tests":[]}'), false);
  assert.equal(listsTests("CMake Error: no preset"), false);
  assert.equal(listsTests('{"tests":{"name":"a"}}'), false);
});
