// node --test tools/node/real-projects-table.test.mjs: the matrix's verdict on made-up facts.
import assert from "node:assert/strict";
import { test } from "node:test";

import { findingsAt, judge, junitCounts, row } from "./real-projects-table.mjs";

const junit = '<?xml version="1.0"?>\n<testsuite name="x" tests="12" failures="1" errors="0" skipped="2" time="1">';
const summary = (projectTests, caught = 7) => ({
  presets: [
    { preset: "asan", result: "ok", project_tests: projectTests, canaries: 7, canaries_caught: caught },
    { preset: "valgrind", result: "ok", project_tests: 12, canaries: 2, canaries_caught: 2 },
  ],
});
const planted = { findings: [{ kind: "heap-buffer-overflow", location: { file: "src/lib.c", line: 41 }, tools: ["asan"] }] };

function facts(overrides = {}) {
  return {
    shapes: "C89",
    plain: junitCounts(junit),
    cmakeUnchanged: "yes",
    plantWhere: "src/lib.c:41",
    cold: { status: "0", seconds: "300", summary: summary(12), findings: { findings: [] } },
    warm: { status: "0", seconds: "5" },
    settled: { status: "0", seconds: "3" },
    planted: { status: "1", seconds: "60", findings: planted },
    ...overrides,
  };
}

test("JUnit counts read the testsuite element, errors as failures", () => {
  assert.deepEqual(junitCounts(junit), { tests: 12, failures: 1, skipped: 2 });
  assert.equal(junitCounts("not xml"), null);
  assert.equal(junitCounts(null), null);
});

test("a project that ran every test, caught every canary and the planted bug meets the bar", () => {
  assert.deepEqual(judge(facts()), []);
  assert.match(row("p", facts()), /\| ok \|$/);
  assert.match(row("p", facts()), /src\/lib\.c:41: heap-buffer-overflow \(asan\)/);
  assert.match(row("p", facts()), /\| 5m00s \| 0m05s \| 0m03s \| 1m00s \| ok \|$/);
});

test("each shortfall is named", () => {
  assert.deepEqual(judge(facts({ cold: { ...facts().cold, summary: summary(3) } })), ["asan ran 3 of the project's 12 tests"]);
  assert.deepEqual(judge(facts({ cold: { ...facts().cold, summary: summary(12, 6) } })), ["asan caught 6 of 7 canaries"]);
  assert.deepEqual(judge(facts({ planted: { status: "0", findings: { findings: [] } } })), [
    "the planted bug at src/lib.c:41 left the quick run green",
  ]);
  assert.deepEqual(judge(facts({ planted: { status: "1", findings: { findings: [] } } })), [
    "no finding at the planted src/lib.c:41",
  ]);
  assert.deepEqual(judge(facts({ cmakeUnchanged: "no" })), ["memsafe changed the project's CMake files"]);
  assert.ok(judge(facts({ failedStep: "plain build", plain: null })).includes("the plain build step failed"));
  assert.match(row("p", facts({ cmakeUnchanged: "no" })), /\| SHORT \|$/);
  const failing = summary(12);
  failing.presets[0].result = "FAILED";
  assert.deepEqual(judge(facts({ cold: { ...facts().cold, summary: failing } })), [
    "asan did not pass on the clean project: FAILED",
  ]);
  // Red by a finding of its own: listed for a person to judge, not a shortfall.
  const found = { findings: [{ kind: "memory-leak", location: { file: "t.c", line: 3 }, presets: ["asan"] }] };
  assert.deepEqual(judge(facts({ cold: { ...facts().cold, summary: failing, findings: found } })), []);
});

test("a finding elsewhere is not the planted one", () => {
  assert.equal(findingsAt(planted, "src/lib.c:41").length, 1);
  assert.equal(findingsAt(planted, "src/lib.c:42").length, 0);
  assert.equal(findingsAt(null, "src/lib.c:41").length, 0);
});

test("tests that ran no code of the build tree under Valgrind count, and the row says how many", () => {
  const withNative = summary(12);
  withNative.presets[1].native_tests = 4;
  const cold = { status: "0", seconds: "300", summary: withNative, findings: { findings: [] } };
  assert.deepEqual(judge(facts({ cold })), []);
  assert.match(row("p", facts({ cold })), /valgrind 12 \(4 ran no code of the build tree\)/);
});
