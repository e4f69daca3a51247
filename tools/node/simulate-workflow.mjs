// Runs the jobs of a GitHub Actions workflow on this machine the way a runner would,
// without network and without containers: what actionlint cannot see (a step that writes
// garbage to $GITHUB_OUTPUT, a matrix that is not JSON, an expression naming something
// that does not exist) fails here as it would fail on GitHub.
//
//   node tools/node/simulate-workflow.mjs [options] WORKFLOW.yml
//
//   --workspace DIR       the checkout the steps run in (GITHUB_WORKSPACE; default: .)
//   --event FILE          the event payload (GITHUB_EVENT_PATH; default: {})
//   --event-name NAME     the event (default: workflow_dispatch when the workflow has it,
//                         else its first trigger); it must be one of the workflow's triggers
//   --job ID              run this job (repeatable; default: every job). Jobs run in
//                         `needs` order; a job's needs must be selected too, or given:
//   --needs-output JOB.NAME=VALUE
//                         the output NAME of job JOB, which is not run (its result: success)
//   --needs-result JOB=RESULT
//                         job JOB is not run and ended with RESULT (success, failure,
//                         cancelled or skipped), for the if: of the jobs that need it
//   --matrix-index N      the matrix entry a matrix job runs (default 0, the first)
//   --stub NAME=COMMAND   run COMMAND instead of the run: of the step (workflow or composite
//                         action) whose name or id is NAME; its run: is still substituted,
//                         so its expressions are checked. A stubbed `uses:` step (another
//                         action) runs COMMAND with its with: values as INPUT_<NAME>, as
//                         the runner gives them to an action, and its GITHUB_OUTPUT as the
//                         step's outputs. A stub that matches no step is an error
//   --run-id N            github.run_id and run_number (default 1): runs told apart by it,
//                         as cache keys are
//   --fail-on-uses        an action other than a local one (uses: ./...) fails its step;
//                         by default it is skipped with a note (it needs the network)
//   --report FILE         write what happened as JSON: per job its result, matrix entry,
//                         outputs, summary and steps (outcome, outputs, errors)
//
// What a runner does that is done here: RUNNER_TEMP per job; per step fresh
// GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files, parsed after the
// step exactly as the runner parses them (`name=value` lines and `name<<DELIMITER`
// heredocs; any other non-empty line fails the step with "Invalid format"); the default
// shells (unspecified: `bash -e {0}`; `shell: bash`: `bash --noprofile --norc -eo pipefail
// {0}`; `sh -e {0}`); `env:` of workflow, job and step; `working-directory`; `if:` with the
// status functions; `continue-on-error`; `timeout-minutes`; job outputs; the matrix
// (include/exclude); composite actions of the repository (`uses: ./`, their inputs,
// defaults, outputs and GITHUB_ACTION_PATH).
// Expressions (`${{ }}`) are evaluated strictly: a context, property or function the
// simulator does not know is an error, never an empty string. Contexts: github (a fixed
// set of fields and the event), env, inputs, matrix, strategy, needs, steps, job, runner.
// Not simulated: `container:` and `services:` (steps run on this machine), secrets and
// vars (an error), other actions (skipped, unless stubbed), concurrency and permissions
// (substituted only).
//
// Exit status: 0 every selected job succeeded, 1 a job failed or an expression or file
// command was invalid, 2 usage or an unreadable workflow.
import { spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

const USAGE = "USAGE: node tools/node/simulate-workflow.mjs [--workspace DIR] [--event FILE] [--event-name NAME] " +
  "[--job ID]... [--needs-output JOB.NAME=VALUE]... [--needs-result JOB=RESULT]... [--matrix-index N] [--stub NAME=COMMAND]... " +
  "[--run-id N] [--fail-on-uses] [--report FILE] WORKFLOW.yml";

function usage(message) {
  if (message) console.error(`simulate-workflow: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

function log(message) {
  process.stdout.write(`sim: ${message}\n`);
}

// ---------------------------------------------------------------------------------------
// Expressions

// What fails a step (or a job) as it would on GitHub, as opposed to a bug of the simulator.
class StepError extends Error {}
class ExpressionError extends StepError {}

// A context object whose missing properties are errors (the simulator knows every key it
// can have); plain objects (the event payload, fromJSON results) give null like GitHub.
class Strict {
  constructor(label, values) {
    this.label = label;
    this.values = values;
  }
}

function lookup(base, key, path) {
  if (base instanceof Strict) {
    const found = Object.keys(base.values).find((name) => name.toLowerCase() === String(key).toLowerCase());
    if (found === undefined) {
      const known = Object.keys(base.values);
      throw new ExpressionError(`'${path}' is not defined` +
        (known.length ? ` (${base.label} has: ${known.join(", ")})` : ` (${base.label} is empty)`));
    }
    const value = base.values[found];
    if (typeof value === "function") return value();
    return value;
  }
  if (Array.isArray(base)) {
    if (typeof key === "number" || /^\d+$/.test(String(key))) return base[Number(key)] ?? null;
    return null;
  }
  if (base !== null && typeof base === "object") {
    const found = Object.keys(base).find((name) => name.toLowerCase() === String(key).toLowerCase());
    return found === undefined ? null : base[found];
  }
  return null;
}

// Plain data (for toJSON, comparisons and the report): Strict wrappers unwrapped.
function plain(value) {
  if (value instanceof Strict) {
    const out = {};
    for (const key of Object.keys(value.values)) {
      const item = value.values[key];
      out[key] = plain(typeof item === "function" ? item() : item);
    }
    return out;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value)) out[key] = plain(value[key]);
    return out;
  }
  return value;
}

function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i += 1; continue; }
    if (c === "'") {
      let value = "";
      i += 1;
      for (;;) {
        if (i >= text.length) throw new ExpressionError(`unterminated string in '${text}'`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") { value += "'"; i += 2; continue; }
          i += 1;
          break;
        }
        value += text[i];
        i += 1;
      }
      tokens.push({ type: "literal", value });
      continue;
    }
    const number = /^(?:0x[0-9a-fA-F]+|0o[0-7]+|-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text.slice(i));
    if (number && (c !== "-" || /[\d.]/.test(text[i + 1] ?? ""))) {
      const word = number[0];
      tokens.push({ type: "literal", value: word.startsWith("0o") ? parseInt(word.slice(2), 8) : Number(word) });
      i += word.length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i));
    if (name) {
      const word = name[0];
      if (word === "true" || word === "false") tokens.push({ type: "literal", value: word === "true" });
      else if (word === "null") tokens.push({ type: "literal", value: null });
      else if (word === "NaN") tokens.push({ type: "literal", value: NaN });
      else if (word === "Infinity") tokens.push({ type: "literal", value: Infinity });
      else tokens.push({ type: "name", value: word });
      i += word.length;
      continue;
    }
    const operator = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ",", "*"]
      .find((op) => text.startsWith(op, i));
    if (!operator) throw new ExpressionError(`unexpected character '${c}' in '${text}'`);
    tokens.push({ type: "op", value: operator });
    i += operator.length;
  }
  return tokens;
}

// Recursive descent over: || && (== !=) (< <= > >=) ! postfix primary.
function parseExpression(text) {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const isOp = (value) => peek()?.type === "op" && peek().value === value;
  const expectOp = (value) => {
    if (!isOp(value)) throw new ExpressionError(`expected '${value}' in '${text}'`);
    at += 1;
  };
  const binary = (next, operators) => () => {
    let left = next();
    while (peek()?.type === "op" && operators.includes(peek().value)) {
      const op = tokens[at].value;
      at += 1;
      left = { kind: "binary", op, left, right: next() };
    }
    return left;
  };
  const primary = () => {
    const token = peek();
    if (!token) throw new ExpressionError(`unexpected end of '${text}'`);
    at += 1;
    if (token.type === "literal") return { kind: "literal", value: token.value };
    if (token.type === "op" && token.value === "(") {
      const inner = or();
      expectOp(")");
      return inner;
    }
    if (token.type === "name") {
      if (isOp("(")) {
        at += 1;
        const args = [];
        if (!isOp(")")) {
          args.push(or());
          while (isOp(",")) { at += 1; args.push(or()); }
        }
        expectOp(")");
        return { kind: "call", name: token.value, args };
      }
      return { kind: "context", name: token.value, path: token.value };
    }
    throw new ExpressionError(`unexpected '${token.value}' in '${text}'`);
  };
  const postfix = () => {
    let node = primary();
    for (;;) {
      if (isOp(".")) {
        at += 1;
        if (isOp("*")) { at += 1; node = { kind: "star", base: node, path: `${node.path}.*` }; continue; }
        const name = peek();
        if (!name || name.type !== "name") throw new ExpressionError(`expected a property name in '${text}'`);
        at += 1;
        node = { kind: "property", base: node, key: { kind: "literal", value: name.value }, path: `${node.path}.${name.value}` };
      } else if (isOp("[")) {
        at += 1;
        if (isOp("*")) { at += 1; expectOp("]"); node = { kind: "star", base: node, path: `${node.path}[*]` }; continue; }
        const key = or();
        expectOp("]");
        node = { kind: "property", base: node, key, path: `${node.path}[...]` };
      } else {
        return node;
      }
    }
  };
  const not = () => {
    if (isOp("!")) { at += 1; return { kind: "not", operand: not() }; }
    return postfix();
  };
  const compare = binary(not, ["<", "<=", ">", ">="]);
  const equal = binary(compare, ["==", "!="]);
  const and = binary(equal, ["&&"]);
  const or = binary(and, ["||"]);
  const tree = or();
  if (at !== tokens.length) throw new ExpressionError(`unexpected '${tokens[at].value}' in '${text}'`);
  return tree;
}

function truthy(value) {
  if (value === null || value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  if (typeof value === "string") return value.length > 0;
  return true;
}

function toNumber(value) {
  if (value === null || value === undefined) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.trim() === "" ? 0 : Number(value.trim());
  return NaN;
}

function isObject(value) {
  return value instanceof Strict || (value !== null && typeof value === "object");
}

// GitHub's loose comparison: strings ignore case, different types compare as numbers.
function compareValues(left, right) {
  left = left === undefined ? null : left;
  right = right === undefined ? null : right;
  if (isObject(left) || isObject(right)) return left === right ? 0 : NaN;
  if (typeof left === typeof right && typeof left === "string") {
    const a = left.toUpperCase();
    const b = right.toUpperCase();
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (left === null && right === null) return 0;
  const a = toNumber(left);
  const b = toNumber(right);
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return a === b ? 0 : a < b ? -1 : 1;
}

function toText(value, where) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value;
  throw new ExpressionError(`${where} is an ${Array.isArray(value) ? "array" : "object"}, not text ` +
    "(GitHub would write 'Array' or 'Object'; use toJSON)");
}

function formatText(template, args) {
  let out = "";
  for (let i = 0; i < template.length; i += 1) {
    const c = template[i];
    if (c === "{" && template[i + 1] === "{") { out += "{"; i += 1; continue; }
    if (c === "}" && template[i + 1] === "}") { out += "}"; i += 1; continue; }
    if (c === "{") {
      const close = template.indexOf("}", i);
      const index = close < 0 ? NaN : Number(template.slice(i + 1, close));
      if (!Number.isInteger(index) || index < 0) throw new ExpressionError(`format: invalid placeholder in '${template}'`);
      if (index >= args.length) throw new ExpressionError(`format: '{${index}}' but only ${args.length} argument(s) in '${template}'`);
      out += toText(args[index], `format argument ${index}`);
      i = close;
      continue;
    }
    if (c === "}") throw new ExpressionError(`format: unbalanced '}' in '${template}'`);
    out += c;
  }
  return out;
}

// Glob of hashFiles: '*' and '?' within a path segment, '**' across segments, '!' excludes.
function globToRegExp(pattern) {
  let source = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      source += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function hashFiles(workspace, patterns) {
  const include = [];
  const exclude = [];
  for (const raw of patterns) {
    const pattern = toText(raw, "hashFiles argument").trim();
    const negated = pattern.startsWith("!");
    const body = negated ? pattern.slice(1) : pattern;
    const absolute = isAbsolute(body) ? body : join(workspace, body);
    if (relative(workspace, absolute).startsWith("..")) {
      throw new ExpressionError(`hashFiles('${pattern}'): only files under GITHUB_WORKSPACE can be hashed`);
    }
    (negated ? exclude : include).push(relative(workspace, absolute) || ".");
  }
  const matched = new Set();
  for (const pattern of include) {
    const regexp = globToRegExp(pattern);
    const segments = pattern.split("/");
    const fixed = [];
    for (const segment of segments) {
      if (/[*?]/.test(segment)) break;
      fixed.push(segment);
    }
    const start = join(workspace, ...fixed);
    const walk = (path) => {
      let info;
      try { info = statSync(path); } catch { return; }
      const rel = relative(workspace, path);
      if (info.isDirectory()) {
        if (rel.split("/").includes(".git")) return;
        for (const entry of readdirSync(path)) walk(join(path, entry));
      } else if (info.isFile() && regexp.test(rel)) {
        matched.add(rel);
      }
    };
    walk(start);
  }
  const files = [...matched].filter((rel) => !exclude.some((pattern) => globToRegExp(pattern).test(rel))).sort();
  if (files.length === 0) return "";
  const outer = createHash("sha256");
  for (const rel of files) outer.update(createHash("sha256").update(readFileSync(join(workspace, rel))).digest());
  return outer.digest("hex");
}

function evaluate(node, scope) {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "context": {
      const contexts = scope.contexts;
      const found = Object.keys(contexts).find((name) => name.toLowerCase() === node.name.toLowerCase());
      if (found === undefined) {
        const hint = ["secrets", "vars"].includes(node.name.toLowerCase()) ? " (not available in the simulator)" : "";
        throw new ExpressionError(`unknown context '${node.name}'${hint}; available here: ${Object.keys(contexts).join(", ")}`);
      }
      return contexts[found];
    }
    case "property": {
      const base = evaluate(node.base, scope);
      const key = evaluate(node.key, scope);
      if (Array.isArray(base) && node.base.kind === "star") {
        return base.map((item) => lookup(item, key, node.path)).filter((item) => item !== null);
      }
      return lookup(base, key, node.path);
    }
    case "star": {
      const base = evaluate(node.base, scope);
      if (base instanceof Strict) return Object.values(base.values).map((item) => (typeof item === "function" ? item() : item));
      if (Array.isArray(base)) return base;
      if (isObject(base)) return Object.values(base);
      return [];
    }
    case "not":
      return !truthy(evaluate(node.operand, scope));
    case "binary": {
      if (node.op === "&&") {
        const left = evaluate(node.left, scope);
        return truthy(left) ? evaluate(node.right, scope) : left;
      }
      if (node.op === "||") {
        const left = evaluate(node.left, scope);
        return truthy(left) ? left : evaluate(node.right, scope);
      }
      const order = compareValues(evaluate(node.left, scope), evaluate(node.right, scope));
      switch (node.op) {
        case "==": return order === 0;
        case "!=": return order !== 0;
        case "<": return order < 0;
        case "<=": return order <= 0;
        case ">": return order > 0;
        case ">=": return order >= 0;
        default: throw new ExpressionError(`unknown operator ${node.op}`);
      }
    }
    case "call":
      return callFunction(node, scope);
    default:
      throw new ExpressionError(`cannot evaluate ${node.kind}`);
  }
}

function callFunction(node, scope) {
  const name = node.name.toLowerCase();
  const args = () => node.args.map((arg) => evaluate(arg, scope));
  const arity = (min, max = min) => {
    if (node.args.length < min || node.args.length > max) {
      throw new ExpressionError(`${node.name}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${node.args.length}`);
    }
  };
  switch (name) {
    case "success": arity(0); return scope.status().success;
    case "failure": arity(0); return scope.status().failure;
    case "always": arity(0); return true;
    case "cancelled": arity(0); return false;
    case "contains": {
      arity(2);
      const [haystack, needle] = args();
      if (Array.isArray(haystack)) return haystack.some((item) => compareValues(item, needle) === 0);
      return toText(haystack, "contains()' first argument").toUpperCase().includes(toText(needle, "contains()'s item").toUpperCase());
    }
    case "startswith": case "endswith": {
      arity(2);
      const [text, part] = args().map((value, index) => toText(value, `${node.name} argument ${index}`).toUpperCase());
      return name === "startswith" ? text.startsWith(part) : text.endsWith(part);
    }
    case "format": {
      if (node.args.length < 1) throw new ExpressionError("format() needs a format string");
      const [template, ...rest] = args();
      return formatText(toText(template, "format string"), rest);
    }
    case "join": {
      arity(1, 2);
      const [items, separator = ","] = args();
      const list = Array.isArray(items) ? items : [items];
      return list.map((item, index) => toText(item, `join item ${index}`)).join(toText(separator, "join separator"));
    }
    case "tojson":
      arity(1);
      return JSON.stringify(plain(args()[0]) ?? null, null, 2);
    case "fromjson": {
      arity(1);
      const text = toText(args()[0], "fromJSON argument");
      try {
        return JSON.parse(text);
      } catch (error) {
        const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
        throw new ExpressionError(`fromJSON: not JSON (${error.message}): '${shown}'`);
      }
    }
    case "hashfiles":
      if (node.args.length < 1) throw new ExpressionError("hashFiles() needs a pattern");
      return hashFiles(scope.workspace, args());
    default:
      throw new ExpressionError(`unknown function '${node.name}()'`);
  }
}

function evaluateText(expression, scope) {
  try {
    return evaluate(parseExpression(expression), scope);
  } catch (error) {
    if (error instanceof ExpressionError) throw new ExpressionError(`\${{ ${expression.trim()} }}: ${error.message}`);
    throw error;
  }
}

// Splits a string into literal text and ${{ }} expressions (a '}}' inside a quoted
// string does not end an expression).
function splitTemplate(text) {
  const parts = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf("${{", at);
    if (open < 0) { parts.push({ text: text.slice(at) }); return parts; }
    parts.push({ text: text.slice(at, open) });
    let i = open + 3;
    let quoted = false;
    for (;; i += 1) {
      if (i >= text.length) throw new ExpressionError(`unterminated \${{ in '${text}'`);
      if (text[i] === "'") quoted = !quoted;
      else if (!quoted && text[i] === "}" && text[i + 1] === "}") break;
    }
    parts.push({ expression: text.slice(open + 3, i) });
    at = i + 2;
  }
}

// A YAML value with its ${{ }} substituted: a string that is one whole expression keeps
// the expression's type (for matrix:, continue-on-error:, ...); other strings are text.
function substitute(value, scope, where) {
  try {
    if (typeof value === "string") {
      const parts = splitTemplate(value).filter((part) => part.expression !== undefined || part.text !== "");
      if (parts.length === 1 && parts[0].expression !== undefined && value.trim() === value) {
        return evaluateText(parts[0].expression, scope);
      }
      return parts.map((part) => (part.expression === undefined ? part.text
        : toText(evaluateText(part.expression, scope), `\${{ ${part.expression.trim()} }}`))).join("");
    }
    if (Array.isArray(value)) return value.map((item, index) => substitute(item, scope, `${where}[${index}]`));
    if (value !== null && typeof value === "object") {
      const out = {};
      for (const [key, item] of Object.entries(value)) out[key] = substitute(item, scope, `${where}.${key}`);
      return out;
    }
    return value;
  } catch (error) {
    if (error instanceof ExpressionError && !error.message.startsWith(`${where}: `)) {
      throw new ExpressionError(`${where}: ${error.message}`);
    }
    throw error;
  }
}

function substituteText(value, scope, where) {
  const result = substitute(value, scope, where);
  try {
    return toText(result, where);
  } catch (error) {
    throw new ExpressionError(`${where}: ${error.message}`);
  }
}

// if: with or without ${{ }}; without a status function it means success() && (...).
function evaluateCondition(condition, scope, where) {
  if (condition === undefined || condition === null || condition === "") return scope.status().success;
  if (typeof condition === "boolean" || typeof condition === "number") return truthy(condition);
  let text = String(condition).trim();
  const parts = splitTemplate(text);
  const whole = parts.filter((part) => part.expression !== undefined || part.text.trim() !== "");
  if (whole.length === 1 && whole[0].expression !== undefined) text = whole[0].expression;
  else if (parts.some((part) => part.expression !== undefined)) {
    // GitHub evaluates such a mix as text: any non-empty result is true.
    log(`warning: ${where}: '${condition}' mixes text and \${{ }}; it is text, always true when non-empty`);
    return truthy(substituteText(text, scope, where));
  }
  if (!/\b(success|failure|always|cancelled)\s*\(/i.test(text)) text = `success() && (${text})`;
  try {
    return truthy(evaluateText(text, scope));
  } catch (error) {
    throw new ExpressionError(`${where}: ${error.message}`);
  }
}

// ---------------------------------------------------------------------------------------
// File commands, parsed as the runner parses them.

class FileCommandError extends StepError {}

function parseFileCommand(text, command) {
  const values = [];
  const fail = (message) => {
    throw new FileCommandError(`Unable to process file command '${command}' successfully: ${message}`);
  };
  let at = 0;
  const readLine = () => {
    if (at >= text.length) return null;
    const end = text.indexOf("\n", at);
    let line;
    let newline;
    if (end < 0) { line = text.slice(at); newline = ""; at = text.length; } else { line = text.slice(at, end); newline = "\n"; at = end + 1; }
    if (line.endsWith("\r")) { line = line.slice(0, -1); newline = `\r${newline}`; }
    return { line, newline };
  };
  for (let read = readLine(); read !== null; read = readLine()) {
    const { line } = read;
    if (line === "") continue;
    const equals = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.slice(0, equals);
      if (name === "") fail(`Invalid format '${line}'. Name must not be empty`);
      values.push([name, line.slice(equals + 1)]);
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === "" || delimiter === "") fail(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
      const start = at;
      let end = at;
      for (;;) {
        const next = readLine();
        if (next === null) fail(`Invalid value. Matching delimiter not found '${delimiter}'`);
        if (next.line === delimiter) break;
        if (next.newline === "") fail("Invalid value. EOF marker missing new line.");
        end = at - next.newline.length;
      }
      values.push([name, end > start ? text.slice(start, end) : ""]);
    } else {
      fail(`Invalid format '${line}'`);
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------
// Runner

const SHELLS = {
  bash: ["bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"],
  sh: ["sh", "-e", "{0}"],
  python: ["python3", "{0}"],
};

function shellCommand(shell) {
  if (shell === undefined || shell === null) return ["bash", "-e", "{0}"];
  if (SHELLS[shell]) return SHELLS[shell];
  const words = String(shell).trim().split(/\s+/);
  if (!words.includes("{0}")) {
    if (words.length === 1) throw new ExpressionError(`shell '${shell}' is not one the runner knows (bash, sh, python, or a template with {0})`);
    words.push("{0}");
  }
  return words;
}

// The YAML of a workflow or action, or a StepError saying why not.
function readYaml(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new StepError(`cannot read ${path}: ${error.message}`);
  }
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (error) {
    // The message, then the offending source line of the parser's code frame.
    const [message, source = ""] = error.message.split("\n").filter((line) => line.trim() !== "");
    throw new StepError(`${path}: not valid YAML: ${message} ${source.trim()}`.trimEnd());
  }
}

function triggersOf(workflow) {
  const on = workflow.on;
  if (typeof on === "string") return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((name) => [name, null]));
  if (on && typeof on === "object") return on;
  return {};
}

function expandMatrix(matrix, where) {
  if (matrix === null || typeof matrix !== "object" || Array.isArray(matrix)) {
    throw new ExpressionError(`${where}: the matrix is ${JSON.stringify(matrix)}, not a mapping`);
  }
  const include = matrix.include ?? [];
  const exclude = matrix.exclude ?? [];
  if (!Array.isArray(include)) throw new ExpressionError(`${where}: 'include' is not an array`);
  if (!Array.isArray(exclude)) throw new ExpressionError(`${where}: 'exclude' is not an array`);
  const keys = Object.keys(matrix).filter((key) => key !== "include" && key !== "exclude");
  let combos = [];
  for (const key of keys) {
    const values = matrix[key];
    if (!Array.isArray(values) || values.length === 0) {
      throw new ExpressionError(`${where}: matrix '${key}' must be a non-empty array`);
    }
    combos = combos.length === 0 && key === keys[0] ? values.map((value) => ({ [key]: value }))
      : combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: value })));
  }
  const matches = (combo, partial) => Object.entries(partial).every(([key, value]) =>
    JSON.stringify(combo[key]) === JSON.stringify(value));
  combos = combos.filter((combo) => !exclude.some((partial) => matches(combo, partial)));
  const original = combos.length;
  for (const [index, entry] of include.entries()) {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new ExpressionError(`${where}: include[${index}] is ${JSON.stringify(entry)}, not a mapping`);
    }
    let added = false;
    for (let i = 0; i < original; i += 1) {
      const combo = combos[i];
      const fits = Object.entries(entry).every(([key, value]) => !keys.includes(key) ||
        JSON.stringify(combo[key]) === JSON.stringify(value));
      if (fits) { Object.assign(combo, entry); added = true; }
    }
    if (!added) combos.push({ ...entry });
  }
  if (combos.length === 0) throw new ExpressionError(`${where}: the matrix has no entries`);
  if (combos.length > 256) throw new ExpressionError(`${where}: the matrix has ${combos.length} entries; GitHub allows 256`);
  return combos;
}

class Simulator {
  constructor(options) {
    this.options = options;
    this.workspace = options.workspace;
    this.workflow = options.workflow;
    this.eventName = options.eventName;
    this.event = options.event;
    this.eventPath = options.eventPath;
    this.stubsUsed = new Set();
    this.report = { workflow: options.workflowPath, event_name: this.eventName, jobs: {}, errors: [] };
    this.baseEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (!/^(GITHUB_|RUNNER_|INPUT_|ACTIONS_)/.test(key) && key !== "CI") this.baseEnv[key] = value;
    }
    const git = spawnSync("git", ["-C", this.workspace, "rev-parse", "HEAD"], { encoding: "utf8" });
    this.sha = git.status === 0 ? git.stdout.trim() : "0".repeat(40);
  }

  githubContext(jobId, extra = {}) {
    const event = this.event;
    const repository = event?.repository?.full_name ?? "memsafe/memsafe";
    const ref = event?.ref ?? "refs/heads/main";
    return new Strict("github", {
      action: "__run",
      action_path: "",
      actor: event?.sender?.login ?? "simulator",
      api_url: "https://api.github.com",
      base_ref: "",
      event,
      event_name: this.eventName,
      event_path: this.eventPath,
      head_ref: "",
      job: jobId,
      ref,
      ref_name: ref.replace(/^refs\/(heads|tags)\//, ""),
      ref_type: ref.startsWith("refs/tags/") ? "tag" : "branch",
      repository,
      repository_owner: repository.split("/")[0],
      run_attempt: "1",
      run_id: this.options.runId,
      run_number: this.options.runId,
      server_url: "https://github.com",
      sha: this.sha,
      workflow: this.workflow.name ?? this.options.workflowPath,
      workspace: this.workspace,
      ...extra,
    });
  }

  inputsContext() {
    const triggers = triggersOf(this.workflow);
    const declared = {
      ...(triggers.workflow_dispatch?.inputs ?? {}),
      ...(triggers.workflow_call?.inputs ?? {}),
    };
    const given = this.event?.inputs ?? {};
    const values = {};
    for (const [name, spec] of Object.entries(declared)) {
      let value;
      if (["workflow_dispatch", "workflow_call"].includes(this.eventName)) {
        value = Object.hasOwn(given, name) ? given[name] : spec?.default ?? (spec?.type === "boolean" ? false : "");
        if (spec?.required && !Object.hasOwn(given, name) && spec?.default === undefined) {
          throw new ExpressionError(`input '${name}' is required and the event does not give it`);
        }
        if (spec?.type === "boolean") value = value === true || value === "true";
        else if (spec?.type === "number") value = Number(value);
        else if (spec?.type === "choice" && Array.isArray(spec.options) && value !== "" && !spec.options.includes(value)) {
          throw new ExpressionError(`input '${name}': '${value}' is not one of its options`);
        }
      } else {
        value = null; // the event has no inputs: GitHub gives an empty value
      }
      values[name] = value;
    }
    for (const name of Object.keys(given)) {
      if (!Object.hasOwn(declared, name)) throw new ExpressionError(`the event gives input '${name}', which the workflow does not declare`);
    }
    return new Strict("inputs", values);
  }

  run() {
    const jobs = this.workflow.jobs ?? {};
    const selected = this.options.jobs.length ? this.options.jobs : Object.keys(jobs);
    for (const id of selected) if (!jobs[id]) usage(`the workflow has no job '${id}' (it has: ${Object.keys(jobs).join(", ")})`);
    const order = [];
    const visit = (id, trail) => {
      if (order.includes(id)) return;
      if (trail.includes(id)) usage(`jobs need each other in a cycle: ${[...trail, id].join(" -> ")}`);
      for (const need of [].concat(jobs[id].needs ?? [])) {
        if (!jobs[need]) this.error(`job '${id}' needs '${need}', which does not exist`);
        else if (Object.hasOwn(this.options.givenJobs, need)) continue;
        else if (!selected.includes(need)) usage(`job '${id}' needs '${need}': select it too (--job ${need}) or give its outputs or result (--needs-output, --needs-result)`);
        else visit(need, [...trail, id]);
      }
      order.push(id);
    };
    for (const id of selected) visit(id, []);
    for (const id of order) this.runJob(id, jobs[id]);
    for (const stub of Object.keys(this.options.stubs)) {
      if (!this.stubsUsed.has(stub)) this.error(`--stub '${stub}' matched no step that ran`);
    }
    const failed = Object.entries(this.report.jobs).filter(([, job]) => job.result === "failure").map(([id]) => id);
    for (const id of failed) log(`job '${id}' failed`);
    if (this.options.reportPath) writeFileSync(this.options.reportPath, `${JSON.stringify(this.report, null, 2)}\n`);
    const ok = failed.length === 0 && this.report.errors.length === 0;
    log(ok ? "every job succeeded" : `${failed.length} job(s) failed, ${this.report.errors.length} other error(s)`);
    return ok ? 0 : 1;
  }

  error(message) {
    log(`error: ${message}`);
    this.report.errors.push(message);
  }

  runJob(jobId, job) {
    const record = { name: jobId, result: "success", matrix: null, outputs: {}, steps: [], errors: [], summary: "" };
    this.report.jobs[jobId] = record;
    const fail = (message) => {
      log(`error: job '${jobId}': ${message}`);
      record.errors.push(message);
      record.result = "failure";
    };
    const needsIds = [].concat(job.needs ?? []);
    const needs = {};
    for (const need of needsIds) {
      const done = this.report.jobs[need] ?? this.options.givenJobs[need] ?? null;
      if (!done) continue;
      needs[need] = new Strict(`needs.${need}`, { result: done.result, outputs: new Strict(`needs.${need}.outputs`, done.outputs) });
    }
    const github = this.githubContext(jobId);
    let inputs;
    try {
      inputs = this.inputsContext();
    } catch (error) {
      fail(error.message);
      return;
    }
    const needsFailed = needsIds.some((need) => (this.report.jobs[need] ?? this.options.givenJobs[need])?.result !== "success");
    const jobScope = {
      workspace: this.workspace,
      contexts: { github, inputs, needs: new Strict("needs", needs) },
      status: () => ({ success: !needsFailed, failure: needsFailed }),
    };
    log(`job '${jobId}'`);
    try {
      if (!evaluateCondition(job.if, jobScope, `jobs.${jobId}.if`)) {
        record.result = "skipped";
        log(`job '${jobId}': skipped (if: ${job.if ?? "success()"})`);
        return;
      }
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      fail(error.message);
      return;
    }
    let matrix = {};
    let strategy = { "fail-fast": true, "job-index": 0, "job-total": 1, "max-parallel": 1 };
    try {
      if (job.strategy?.matrix !== undefined) {
        const evaluated = substitute(job.strategy.matrix, jobScope, `jobs.${jobId}.strategy.matrix`);
        const entries = expandMatrix(evaluated, `jobs.${jobId}.strategy.matrix`);
        const index = this.options.matrixIndex;
        if (index >= entries.length) throw new ExpressionError(`--matrix-index ${index}: the matrix has ${entries.length} entries`);
        matrix = entries[index];
        strategy = { ...strategy, "job-index": index, "job-total": entries.length, "max-parallel": entries.length };
        log(`job '${jobId}': matrix entry ${index + 1} of ${entries.length}: ${JSON.stringify(matrix)}`);
      }
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      fail(error.message);
      return;
    }
    record.matrix = matrix;
    jobScope.contexts.matrix = new Strict("matrix", matrix);
    jobScope.contexts.strategy = new Strict("strategy", strategy);
    const runnerTemp = mkdtempSync(join(tmpdir(), "memsafe-sim-runner-"));
    const runner = new Strict("runner", {
      arch: "X64", debug: "", environment: "github-hosted", name: "memsafe-simulator", os: "Linux",
      temp: runnerTemp, tool_cache: join(runnerTemp, "toolcache"),
    });
    jobScope.contexts.runner = runner;
    jobScope.contexts.job = new Strict("job", { status: "success", container: {}, services: {} });
    // Substituted only: what the simulator does not act on must still be valid.
    try {
      for (const key of ["name", "timeout-minutes", "concurrency", "runs-on", "container", "continue-on-error"]) {
        if (job[key] !== undefined) {
          const value = substitute(job[key], jobScope, `jobs.${jobId}.${key}`);
          if (key === "name") record.name = toText(value, `jobs.${jobId}.name`);
        }
      }
      if (this.workflow.concurrency !== undefined) substitute(this.workflow.concurrency, { ...jobScope, contexts: { github, inputs } }, "concurrency");
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      fail(error.message);
      return;
    }
    // The env context: workflow env, job env, then what steps add through GITHUB_ENV.
    const state = { env: {}, path: [], failed: false, summary: "" };
    try {
      const workflowEnv = substitute(this.workflow.env ?? {}, jobScope, "env");
      Object.assign(state.env, workflowEnv);
      jobScope.contexts.env = new Strict("env", { ...state.env });
      Object.assign(state.env, substitute(job.env ?? {}, jobScope, `jobs.${jobId}.env`));
      for (const [key, value] of Object.entries(state.env)) state.env[key] = toText(value, `env.${key}`);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      fail(error.message);
      return;
    }
    const defaults = { ...(this.workflow.defaults?.run ?? {}), ...(job.defaults?.run ?? {}) };
    const job_ = { id: jobId, scope: jobScope, state, runnerTemp, record, defaults, github };
    const steps = this.runSteps(job_, job.steps ?? [], { label: `jobs.${jobId}`, stepsContext: {}, actionPath: null, inputs: null });
    if (steps.failed) record.result = "failure";
    record.summary = state.summary;
    // Job outputs, from the steps context.
    const outputScope = { ...jobScope, contexts: { ...jobScope.contexts, steps: steps.context, env: new Strict("env", { ...state.env }) } };
    for (const [name, expression] of Object.entries(job.outputs ?? {})) {
      try {
        record.outputs[name] = substituteText(expression, outputScope, `jobs.${jobId}.outputs.${name}`);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        if (record.result === "success") {
          fail(error.message);
        } else {
          // A failed job's unset outputs are empty, as on GitHub.
          log(`note: ${error.message}`);
          record.outputs[name] = "";
        }
      }
    }
    for (const [name, value] of Object.entries(record.outputs)) log(`job '${jobId}': output ${name}=${value}`);
    log(`job '${jobId}': ${record.result}`);
    rmSync(runnerTemp, { recursive: true, force: true });
  }

  stubFor(step) {
    for (const key of [step.name, step.id]) {
      if (key !== undefined && Object.hasOwn(this.options.stubs, key)) {
        this.stubsUsed.add(key);
        return this.options.stubs[key];
      }
    }
    return null;
  }

  // Runs a list of steps (a job's, or a composite action's). Returns the steps context and
  // whether a step failed (not counting continue-on-error).
  runSteps(job, steps, frame) {
    const { state } = job;
    const stepsContext = frame.stepsContext;
    let failed = frame.startFailed ?? false;
    const status = () => ({ success: !failed, failure: failed });
    for (const [index, step] of steps.entries()) {
      const id = step.id ?? `__step${index}`;
      const label = `${frame.label}.steps[${index}]`;
      const title = step.name ?? step.id ?? (step.uses ? step.uses : (step.run ?? "").split("\n")[0]);
      const record = { name: title, id: step.id ?? null, in: frame.label, outcome: null, conclusion: null, outputs: {}, errors: [], note: null };
      job.record.steps.push(record);
      const contexts = {
        ...job.scope.contexts,
        env: new Strict("env", { ...state.env }),
        steps: new Strict("steps", { ...stepsContext }),
      };
      if (frame.inputs) contexts.inputs = frame.inputs;
      if (frame.actionPath) contexts.github = this.githubContext(job.id, { action_path: frame.actionPath });
      const scope = { workspace: this.workspace, contexts, status };
      const finish = (outcome, outputs = {}) => {
        const continueOnError = (() => {
          try {
            return truthy(substitute(step["continue-on-error"] ?? false, scope, `${label}.continue-on-error`));
          } catch (error) {
            record.errors.push(error.message);
            log(`error: ${error.message}`);
            return false;
          }
        })();
        record.outcome = outcome;
        record.conclusion = outcome === "failure" && continueOnError ? "success" : outcome;
        record.outputs = outputs;
        if (step.id !== undefined) {
          stepsContext[step.id] = new Strict(`steps.${step.id}`, {
            outputs: new Strict(`steps.${step.id}.outputs`, outputs), outcome, conclusion: record.conclusion,
          });
        }
        if (record.conclusion === "failure") failed = true;
        if (outcome !== "skipped") log(`  step '${title}': ${outcome}${record.conclusion !== outcome ? " (continue-on-error)" : ""}`);
      };
      const stepError = (message) => {
        record.errors.push(message);
        log(`  error: ${message}`);
      };
      try {
        let displayName = title;
        if (step.name !== undefined) displayName = substituteText(step.name, scope, `${label}.name`);
        if (!evaluateCondition(step.if, scope, `${label}.if`)) {
          log(`  step '${displayName}': skipped (if: ${step.if ?? "success()"})`);
          // Its expressions are still checked, with the outputs of steps that did not run empty.
          this.checkSkipped(step, scope, label, record);
          finish("skipped");
          continue;
        }
        log(`  step '${displayName}'`);
        const stepEnv = {};
        for (const [key, value] of Object.entries(substitute(step.env ?? {}, scope, `${label}.env`))) {
          stepEnv[key] = toText(value, `${label}.env.${key}`);
        }
        scope.contexts.env = new Strict("env", { ...state.env, ...stepEnv });
        if (step.uses !== undefined) {
          const outcome = this.runUses(job, step, scope, label, stepEnv, record, frame);
          finish(outcome.result, outcome.outputs);
          continue;
        }
        if (step.run === undefined) throw new ExpressionError(`${label}: a step needs run: or uses:`);
        const script = substituteText(step.run, scope, `${label}.run`);
        const shell = step.shell ?? (frame.actionPath === null ? job.defaults.shell : undefined);
        if (frame.actionPath !== null && step.shell === undefined) {
          throw new ExpressionError(`${label}: a run step of a composite action needs 'shell:'`);
        }
        const workdirRaw = step["working-directory"] ?? (frame.actionPath === null ? job.defaults["working-directory"] : undefined);
        const workdir = workdirRaw === undefined ? this.workspace
          : resolve(this.workspace, substituteText(workdirRaw, scope, `${label}.working-directory`));
        const timeout = step["timeout-minutes"] === undefined ? undefined
          : Number(substitute(step["timeout-minutes"], scope, `${label}.timeout-minutes`)) * 60000;
        const stub = this.stubFor(step);
        if (stub !== null) {
          record.note = `stubbed: ${stub}`;
          log(`  (stub) ${stub}`);
        }
        const result = this.execute(job, {
          script: stub ?? script, shell: shellCommand(shell), workdir, stepEnv, timeout, actionPath: frame.actionPath, stepId: id,
        });
        for (const message of result.errors) stepError(message);
        finish(result.ok ? "success" : "failure", result.outputs);
      } catch (error) {
        if (!(error instanceof StepError)) throw error;
        stepError(error.message);
        finish("failure");
      }
    }
    return { context: new Strict("steps", { ...stepsContext }), failed };
  }

  // A skipped step's expressions are still checked; outputs of steps that did not run
  // (or did not set them) read as empty there, as on GitHub, but an unknown step id or
  // any other unknown name is an error.
  checkSkipped(step, scope, label, record) {
    const steps = {};
    for (const [id, value] of Object.entries(scope.contexts.steps.values)) {
      steps[id] = new Strict(`steps.${id}`, { ...value.values, outputs: { ...value.values.outputs.values } });
    }
    const relaxed = { ...scope, contexts: { ...scope.contexts, steps: new Strict("steps", steps) } };
    try {
      if (step.name !== undefined) substitute(step.name, relaxed, `${label}.name`);
      if (step.env) substitute(step.env, relaxed, `${label}.env`);
      if (step.run !== undefined) substituteText(step.run, relaxed, `${label}.run`);
      if (step.with) substitute(step.with, relaxed, `${label}.with`);
      if (step["working-directory"] !== undefined) substitute(step["working-directory"], relaxed, `${label}.working-directory`);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      record.errors.push(error.message);
      this.error(`skipped step: ${error.message}`);
    }
  }

  runUses(job, step, scope, label, stepEnv, record, frame) {
    const uses = String(step.uses);
    const withValues = {};
    for (const [key, value] of Object.entries(substitute(step.with ?? {}, scope, `${label}.with`))) {
      withValues[key] = toText(value, `${label}.with.${key}`);
    }
    const stub = this.stubFor(step);
    if (stub !== null) {
      record.note = `stubbed: ${stub}`;
      log(`  (stub) ${stub} (with: ${JSON.stringify(withValues)})`);
      // The runner's names for an action's inputs: INPUT_ and the name upper-cased, spaces as '_'.
      const inputs = {};
      for (const [key, value] of Object.entries(withValues)) inputs[`INPUT_${key.replaceAll(" ", "_").toUpperCase()}`] = value;
      const result = this.execute(job, {
        script: stub, shell: shellCommand(undefined), workdir: this.workspace, stepEnv: { ...stepEnv, ...inputs },
        timeout: undefined, actionPath: null, stepId: step.id ?? "__stub",
      });
      for (const message of result.errors) {
        record.errors.push(message);
        log(`  error: ${message}`);
      }
      return { result: result.ok ? "success" : "failure", outputs: result.outputs };
    }
    if (!uses.startsWith("./")) {
      if (this.options.failOnUses) {
        record.errors.push(`action ${uses} cannot run here (--fail-on-uses)`);
        log(`  error: action ${uses} cannot run here (--fail-on-uses)`);
        return { result: "failure", outputs: {} };
      }
      record.note = `action not run (needs the network): ${uses}`;
      log(`  note: not run, needs the network: ${uses} (with: ${JSON.stringify(withValues)})`);
      return { result: "success", outputs: {} };
    }
    const actionDir = resolve(this.workspace, uses);
    const file = ["action.yml", "action.yaml"].map((name) => join(actionDir, name)).find((path) => existsSync(path));
    if (!file) throw new ExpressionError(`${label}: no action.yml in ${actionDir}`);
    const action = readYaml(file);
    if (action === null || typeof action !== "object") throw new StepError(`${file}: not an action (no mapping)`);
    if (action?.runs?.using !== "composite") {
      throw new ExpressionError(`${label}: ${uses} is a '${action?.runs?.using}' action; only composite actions run here`);
    }
    const declared = action.inputs ?? {};
    for (const key of Object.keys(withValues)) {
      if (!Object.hasOwn(declared, key)) log(`  warning: Unexpected input '${key}' for ${uses} (valid: ${Object.keys(declared).join(", ")})`);
    }
    const inputs = {};
    const defaultScope = { ...scope, contexts: { github: this.githubContext(job.id, { action_path: actionDir }), runner: scope.contexts.runner, env: scope.contexts.env, job: scope.contexts.job, strategy: scope.contexts.strategy, matrix: scope.contexts.matrix } };
    for (const [name, spec] of Object.entries(declared)) {
      if (Object.hasOwn(withValues, name)) inputs[name] = withValues[name];
      else if (spec?.default !== undefined) inputs[name] = substituteText(spec.default, defaultScope, `${uses}: inputs.${name}.default`);
      else if (spec?.required) throw new ExpressionError(`${label}: input '${name}' of ${uses} is required`);
      else inputs[name] = "";
    }
    // The step's env reaches the action's steps.
    const savedEnv = { ...job.state.env };
    Object.assign(job.state.env, stepEnv);
    const inner = this.runSteps(job, action.runs.steps ?? [], {
      label: `${uses}(${relative(this.workspace, file)})`, stepsContext: {}, actionPath: actionDir,
      inputs: new Strict("inputs", inputs), startFailed: false,
    });
    // Variables the action's steps set through GITHUB_ENV stay; the step's env does not.
    for (const key of Object.keys(stepEnv)) {
      if (job.state.env[key] === stepEnv[key]) {
        if (Object.hasOwn(savedEnv, key)) job.state.env[key] = savedEnv[key];
        else delete job.state.env[key];
      }
    }
    const outputs = {};
    const outputScope = { workspace: this.workspace, status: () => ({ success: !inner.failed, failure: inner.failed }),
      contexts: { ...defaultScope.contexts, inputs: new Strict("inputs", inputs), steps: inner.context } };
    for (const [name, spec] of Object.entries(action.outputs ?? {})) {
      outputs[name] = substituteText(spec?.value ?? "", outputScope, `${uses}: outputs.${name}.value`);
    }
    return { result: inner.failed ? "failure" : "success", outputs };
  }

  execute(job, { script, shell, workdir, stepEnv, timeout, actionPath, stepId }) {
    const commands = join(job.runnerTemp, "_runner_file_commands");
    mkdirSync(commands, { recursive: true });
    const suffix = randomUUID();
    const files = {
      GITHUB_OUTPUT: join(commands, `set_output_${suffix}`),
      GITHUB_ENV: join(commands, `set_env_${suffix}`),
      GITHUB_PATH: join(commands, `add_path_${suffix}`),
      GITHUB_STEP_SUMMARY: join(commands, `step_summary_${suffix}`),
      GITHUB_STATE: join(commands, `save_state_${suffix}`),
    };
    for (const path of Object.values(files)) writeFileSync(path, "");
    const scriptPath = join(job.runnerTemp, `${suffix}.sh`);
    writeFileSync(scriptPath, script);
    const basePath = this.baseEnv.PATH ?? "/usr/bin:/bin";
    const env = {
      ...this.baseEnv,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_EVENT_NAME: this.eventName,
      GITHUB_EVENT_PATH: this.eventPath,
      GITHUB_SHA: this.sha,
      GITHUB_REF: job.github.values.ref,
      GITHUB_REF_NAME: job.github.values.ref_name,
      GITHUB_REPOSITORY: job.github.values.repository,
      GITHUB_REPOSITORY_OWNER: job.github.values.repository_owner,
      GITHUB_RUN_ID: this.options.runId,
      GITHUB_RUN_NUMBER: this.options.runId,
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_JOB: job.id,
      GITHUB_ACTION: stepId,
      GITHUB_ACTOR: job.github.values.actor,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_API_URL: "https://api.github.com",
      GITHUB_WORKFLOW: job.github.values.workflow,
      RUNNER_OS: "Linux",
      RUNNER_ARCH: "X64",
      RUNNER_NAME: "memsafe-simulator",
      RUNNER_TEMP: job.runnerTemp,
      RUNNER_TOOL_CACHE: join(job.runnerTemp, "toolcache"),
      ...job.state.env,
      ...stepEnv,
      ...files,
    };
    if (actionPath) env.GITHUB_ACTION_PATH = actionPath;
    env.PATH = [...job.state.path, env.PATH ?? basePath].join(":");
    const argv = shell.map((word) => word.replaceAll("{0}", scriptPath));
    const errors = [];
    if (!existsSync(workdir)) {
      errors.push(`working-directory ${workdir} does not exist`);
      return { ok: false, outputs: {}, errors };
    }
    const result = spawnSync(argv[0], argv.slice(1), { cwd: workdir, env, stdio: ["ignore", "inherit", "inherit"], timeout });
    let ok = true;
    if (result.error) {
      ok = false;
      errors.push(`cannot run ${argv[0]}: ${result.error.message}`);
    } else if (result.signal) {
      ok = false;
      errors.push(`the step was ended by ${result.signal}${timeout ? ` (timeout-minutes ${timeout / 60000})` : ""}`);
    } else if (result.status !== 0) {
      ok = false;
      errors.push(`Process completed with exit code ${result.status}.`);
    }
    // File commands are processed after the step, whatever its exit status, as the runner does.
    const outputs = {};
    const parse = (name, command) => {
      try {
        return parseFileCommand(readFileSync(files[name], "utf8"), command);
      } catch (error) {
        if (!(error instanceof FileCommandError)) throw error;
        ok = false;
        errors.push(error.message);
        return [];
      }
    };
    for (const [key, value] of parse("GITHUB_OUTPUT", "output")) outputs[key] = value;
    for (const [key, value] of parse("GITHUB_ENV", "env")) {
      if (key.toUpperCase() === "NODE_OPTIONS") {
        ok = false;
        errors.push("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
        continue;
      }
      job.state.env[key] = value;
    }
    for (const line of readFileSync(files.GITHUB_PATH, "utf8").split("\n")) {
      const path = line.replace(/\r$/, "").trim();
      if (path !== "") job.state.path.unshift(path);
    }
    const summary = readFileSync(files.GITHUB_STEP_SUMMARY, "utf8");
    if (Buffer.byteLength(summary) > 1024 * 1024) {
      errors.push(`$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got ${Math.ceil(Buffer.byteLength(summary) / 1024)}k`);
      ok = false;
    } else {
      job.state.summary += summary;
    }
    rmSync(scriptPath, { force: true });
    return { ok, outputs, errors };
  }
}

// ---------------------------------------------------------------------------------------

function main(argv) {
  const options = { workspace: process.cwd(), eventPath: null, eventName: null, jobs: [], givenJobs: {}, matrixIndex: 0, stubs: {}, runId: "1", failOnUses: false, reportPath: null };
  const given = (job) => (options.givenJobs[job] ??= { result: "success", outputs: {} });
  let workflowPath = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} wants a value`);
      i += 1;
      return argv[i];
    };
    switch (arg) {
      case "--workspace": options.workspace = resolve(value()); break;
      case "--event": options.eventPath = resolve(value()); break;
      case "--event-name": options.eventName = value(); break;
      case "--job": options.jobs.push(value()); break;
      case "--matrix-index": {
        const text = value();
        if (!/^\d+$/.test(text)) usage("--matrix-index wants a number");
        options.matrixIndex = Number(text);
        break;
      }
      case "--stub": {
        const text = value();
        const equals = text.indexOf("=");
        if (equals <= 0) usage("--stub wants NAME=COMMAND");
        options.stubs[text.slice(0, equals)] = text.slice(equals + 1);
        break;
      }
      case "--needs-output": {
        const text = value();
        const match = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(text);
        if (!match) usage("--needs-output wants JOB.NAME=VALUE");
        given(match[1]).outputs[match[2]] = match[3];
        break;
      }
      case "--needs-result": {
        const match = /^([^=]+)=(success|failure|cancelled|skipped)$/.exec(value());
        if (!match) usage("--needs-result wants JOB=success|failure|cancelled|skipped");
        given(match[1]).result = match[2];
        break;
      }
      case "--run-id": {
        const text = value();
        if (!/^[1-9]\d*$/.test(text)) usage("--run-id wants a positive number");
        options.runId = text;
        break;
      }
      case "--fail-on-uses": options.failOnUses = true; break;
      case "--report": options.reportPath = resolve(value()); break;
      case "-h": case "--help": console.log(USAGE); process.exit(0); break;
      default:
        if (arg.startsWith("-")) usage(`unknown option '${arg}'`);
        if (workflowPath !== null) usage("one workflow at a time");
        workflowPath = arg;
    }
  }
  if (workflowPath === null) usage("which workflow?");
  if (!existsSync(options.workspace) || !statSync(options.workspace).isDirectory()) usage(`workspace ${options.workspace} is not a directory`);
  let workflow;
  try {
    workflow = readYaml(workflowPath);
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    log(`error: ${error.message}`);
    return 1;
  }
  if (!workflow || typeof workflow !== "object" || !workflow.jobs) usage(`${workflowPath}: no jobs`);
  const triggers = Object.keys(triggersOf(workflow));
  if (options.eventName === null) options.eventName = triggers.includes("workflow_dispatch") ? "workflow_dispatch" : triggers[0];
  if (!triggers.includes(options.eventName)) {
    usage(`${workflowPath} does not run on '${options.eventName}' (it runs on: ${triggers.join(", ")})`);
  }
  let eventDir = null;
  if (options.eventPath === null) {
    eventDir = mkdtempSync(join(tmpdir(), "memsafe-sim-event-"));
    options.eventPath = join(eventDir, "event.json");
    writeFileSync(options.eventPath, "{}\n");
  }
  try {
    options.event = JSON.parse(readFileSync(options.eventPath, "utf8"));
  } catch (error) {
    usage(`event ${options.eventPath}: ${error.message}`);
  }
  options.workflow = workflow;
  options.workflowPath = workflowPath;
  log(`workflow ${workflowPath}, event ${options.eventName}, workspace ${options.workspace}`);
  const status = new Simulator(options).run();
  if (eventDir) rmSync(eventDir, { recursive: true, force: true });
  return status;
}

// Unexpected errors are the simulator's own bugs: exit 2, not a verdict on the workflow.
try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`simulate-workflow: internal error: ${error.stack ?? error}`);
  process.exitCode = 2;
}
