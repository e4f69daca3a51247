// The real-projects matrix's table and verdict, from what tests/adoption/real_projects.sh
// kept of each project under FACTS/<project>/: ctest's JUnit of the plain build, and of
// each `memsafe check --memory-checks` run (cold, warm, settled, planted) its summary.json,
// findings.json, exit status and seconds.
//
//   node tools/node/real-projects-table.mjs FACTS [--out FILE]
//
// Prints the Markdown table (and appends it to FILE: a GitHub step summary, or a file
// to paste into docs/REAL_PROJECTS.md), then one line per project that falls short:
//   - a step failed (sources, init, the plain build, the planting);
//   - a memory preset did not pass on the clean project for another reason than a
//     finding of its own (a build that failed, a test that cannot run adopted);
//   - a memory preset ran fewer of the project's tests than the plain ctest run has;
//   - a preset ran no canary or missed one;
//   - the CMake files changed;
//   - the planted run did not fail, or reported no finding at the planted file:line.
// Findings of the clean (cold) run are listed with their tools for a person to judge
// (real or false, in the docs' table); they do not fail the matrix by themselves.
//
// Exit status: 0 every project meets the bar, 1 one does not, 2 usage or unreadable facts.
import { appendFile, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

async function readText(path) {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    return null;
  }
}

async function readJson(path) {
  const text = await readText(path);
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// tests, failures, errors, skipped of a JUnit file's <testsuite> element.
export function junitCounts(xml) {
  if (xml === null) return null;
  const suite = /<testsuite\b([^>]*)>/.exec(xml);
  if (!suite) return null;
  const attribute = (name) => {
    const match = new RegExp(`\\b${name}="(\\d+)"`).exec(suite[1]);
    return match ? Number(match[1]) : 0;
  };
  return { tests: attribute("tests"), failures: attribute("failures") + attribute("errors"), skipped: attribute("skipped") };
}

// The findings of a findings.json at FILE:LINE (LOCATION relative to the project).
export function findingsAt(findings, where) {
  if (!findings || !Array.isArray(findings.findings)) return [];
  return findings.findings.filter((f) => f.location && `${f.location.file}:${f.location.line}` === where);
}

// What a project's facts say, and why it falls short (empty when it meets the bar).
export function judge(facts) {
  const short = [];
  if (facts.failedStep) short.push(`the ${facts.failedStep} step failed`);
  const plain = facts.plain;
  if (!plain) short.push("no plain ctest results");
  const presets = facts.cold?.summary?.presets ?? [];
  if (!facts.failedStep && presets.length === 0) short.push("the cold run left no summary");
  for (const preset of presets) {
    // A preset red on the clean project is a shortfall unless what made it red is a
    // finding of that preset, listed for a person to judge (a leak a test allocator makes
    // on purpose is a finding, not a failure of the adoption).
    const judged = (facts.cold?.findings?.findings ?? []).some((f) => (f.presets ?? []).includes(preset.preset));
    if (preset.result !== "ok" && !(preset.result === "FAILED" && judged)) {
      short.push(`${preset.preset} did not pass on the clean project: ${preset.result}`);
    }
    // A test that ran natively (native_tests: a script under the valgrind preset that ran
    // no program and loaded no library of the build tree) ran none of the project's code:
    // it counts, and the table shows how many there were.
    if (plain && preset.project_tests < plain.tests) {
      short.push(`${preset.preset} ran ${preset.project_tests} of the project's ${plain.tests} tests`);
    }
    if (preset.canaries === 0 || preset.canaries_caught !== preset.canaries) {
      short.push(`${preset.preset} caught ${preset.canaries_caught} of ${preset.canaries} canaries`);
    }
  }
  if (facts.cmakeUnchanged === "no") short.push("memsafe changed the project's CMake files");
  if (facts.plantWhere && !facts.failedStep) {
    const at = findingsAt(facts.planted?.findings, facts.plantWhere);
    if (facts.planted?.status === "0") short.push(`the planted bug at ${facts.plantWhere} left the quick run green`);
    else if (at.length === 0) short.push(`no finding at the planted ${facts.plantWhere}`);
  }
  return short;
}

function seconds(value) {
  if (value === null || value === undefined || value === "") return "-";
  const n = Number(value);
  return `${Math.floor(n / 60)}m${String(n % 60).padStart(2, "0")}s`;
}

export function row(name, facts) {
  const presets = facts.cold?.summary?.presets ?? [];
  const perPreset = presets
    .map((p) => `${p.preset} ${p.project_tests}${p.native_tests ? ` (${p.native_tests} ran no code of the build tree)` : ""}`)
    .join(", ") || "-";
  const canaries = presets.map((p) => `${p.canaries_caught}/${p.canaries}`).join(", ") || "-";
  const clean = (facts.cold?.findings?.findings ?? [])
    .map((f) => `${f.kind} ${f.location?.file ?? "?"}:${f.location?.line ?? "?"} (${(f.tools ?? []).join("+")})`)
    .join("; ") || "none";
  const at = findingsAt(facts.planted?.findings, facts.plantWhere ?? "");
  const planted = facts.plantWhere
    ? `${facts.plantWhere}: ${at.length ? at.map((f) => `${f.kind} (${(f.tools ?? []).join("+")})`).join(", ") : "NOT REPORTED"}`
    : "-";
  const plain = facts.plain ? `${facts.plain.tests - facts.plain.failures}/${facts.plain.tests}` : "-";
  const verdict = judge(facts).length === 0 ? "ok" : "SHORT";
  return `| ${name} | ${facts.shapes ?? ""} | ${plain} | ${perPreset} | ${canaries} | ${clean} | ${planted} | ` +
    `${seconds(facts.plainBuildSeconds)} | ${seconds(facts.cold?.seconds)} | ${seconds(facts.warm?.seconds)} | ` +
    `${seconds(facts.settled?.seconds)} | ${seconds(facts.planted?.seconds)} | ${verdict} |`;
}

async function readRun(dir, label) {
  return {
    status: await readText(join(dir, `${label}.status`)),
    seconds: await readText(join(dir, `${label}.seconds`)),
    summary: await readJson(join(dir, `${label}.summary.json`)),
    findings: await readJson(join(dir, `${label}.findings.json`)),
  };
}

export async function readFacts(dir) {
  return {
    shapes: await readText(join(dir, "shapes.txt")),
    version: await readText(join(dir, "version.txt")),
    failedStep: await readText(join(dir, "failed-step")),
    plain: junitCounts(await readText(join(dir, "plain-junit.xml"))),
    plainBuildSeconds: await readText(join(dir, "plain-build.seconds")),
    cmakeUnchanged: await readText(join(dir, "cmake-unchanged")),
    plantWhere: await readText(join(dir, "plant-where.txt")),
    cold: await readRun(dir, "cold"),
    warm: await readRun(dir, "warm"),
    settled: await readRun(dir, "settled"),
    planted: await readRun(dir, "planted"),
  };
}

async function main(argv) {
  const [factsDir, flag, out] = argv;
  if (!factsDir || (flag !== undefined && (flag !== "--out" || !out)) || argv.length > 3) {
    console.error("USAGE: node tools/node/real-projects-table.mjs FACTS [--out FILE]");
    return 2;
  }
  let names;
  try {
    names = (await readdir(factsDir, { withFileTypes: true })).filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name).sort();
  } catch (error) {
    console.error(`real-projects-table: ${factsDir}: ${error.message}`);
    return 2;
  }
  const lines = [
    "| project | shapes | plain tests passed | project tests per preset | canaries | findings, clean run | planted bug: reported as | plain build | cold | warm | settled | planted run | verdict |",
    "| --- | --- | ---: | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  const problems = [];
  for (const name of names) {
    const facts = await readFacts(join(factsDir, name));
    lines.push(row(`${name}${facts.version ? ` (${facts.version})` : ""}`, facts));
    for (const why of judge(facts)) problems.push(`${name}: ${why}`);
  }
  const table = `### Real projects, adopted unmodified\n\n${lines.join("\n")}\n`;
  console.log(table);
  if (out) await appendFile(out, `${table}\n`);
  for (const problem of problems) console.log(`SHORT: ${problem}`);
  console.log(`real projects: ${names.length} project(s), ${problems.length} shortfall(s)`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
