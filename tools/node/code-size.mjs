// node tools/node/code-size.mjs [--max-file N] [--max-function N] FILE...
//
// The size limits of the memsafe tool's C and C++ sources: no file over --max-file lines
// (default 600) and no function over --max-function lines (default 100), the lines from
// its signature to its closing brace. Prints each file or function over its limit,
// "file:line: N lines: signature", and exits 1 when there is one; 2 on bad usage.
//
// A function is a top-level (brace depth 0 of its file, or of a namespace) declaration
// with a parameter list whose body follows; comments, strings and character literals are
// left out before braces are counted.
import { readFileSync } from "node:fs";
import { argv, exit } from "node:process";
import { fileURLToPath } from "node:url";

// The text with comments, strings and character literals blanked (lengths kept per line).
export function codeOnly(text) {
  let out = "";
  let state = "code"; // code | line | block | string | char
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (state === "code") {
      if (c === "/" && next === "/") state = "line";
      else if (c === "/" && next === "*") state = "block";
      else if (c === '"') state = "string";
      else if (c === "'") state = "char";
      out += state === "code" ? c : " ";
      if (state === "block") { out += " "; i++; }
    } else if (state === "line") {
      if (c === "\n") { state = "code"; out += c; } else out += " ";
    } else if (state === "block") {
      if (c === "*" && next === "/") { state = "code"; out += "  "; i++; } else out += c === "\n" ? c : " ";
    } else {
      const quote = state === "string" ? '"' : "'";
      if (c === "\\") { out += "  "; i++; } else if (c === quote) { state = "code"; out += " "; } else out += c === "\n" ? c : " ";
    }
  }
  return out;
}

// Functions longer than `limit` lines: [{line, length, signature}] (line 1-based).
export function longFunctions(text, limit) {
  const lines = codeOnly(text).split("\n");
  const raw = text.split("\n");
  const found = [];
  // Depths at which a function can start: the file's and each namespace's.
  const scopes = [0];
  const namespaceAt = [];
  let depth = 0;
  let candidate = null; // the line of a declaration whose body may follow
  let body = null; // {start, depth}
  for (let i = 0; i < lines.length; i++) {
    const code = lines[i];
    const trimmed = code.trim();
    if (body === null && scopes.includes(depth)) {
      if (/^namespace\b/.test(trimmed) || /^(extern\s+"C"\s*)?\{/.test(trimmed)) {
        candidate = null;
      } else if (candidate === null && trimmed.includes("(") && !/^(struct|class|enum|union|#)/.test(trimmed)) {
        candidate = i;
      }
    }
    for (const c of code) {
      if (c === "{") {
        if (body === null && candidate !== null && scopes.includes(depth)) body = { start: candidate, depth };
        else if (body === null && /^namespace\b/.test(trimmed)) namespaceAt.push(depth + 1);
        depth++;
        if (namespaceAt.at(-1) === depth && !scopes.includes(depth)) scopes.push(depth);
      } else if (c === "}") {
        depth--;
        if (scopes.at(-1) > depth && scopes.length > 1) { scopes.pop(); namespaceAt.pop(); }
        if (body !== null && depth === body.depth) {
          const length = i - body.start + 1;
          if (length > limit) found.push({ line: body.start + 1, length, signature: raw[body.start].trim().slice(0, 80) });
          body = null;
          candidate = null;
        }
      } else if (c === ";" && body === null) {
        candidate = null; // a declaration, not a definition
      }
    }
  }
  return found;
}

function main(args) {
  let maxFile = 600;
  let maxFunction = 100;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--max-file" || args[i] === "--max-function") {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 1) usage();
      if (args[i - 1] === "--max-file") maxFile = value;
      else maxFunction = value;
    } else if (args[i].startsWith("-")) {
      usage();
    } else {
      files.push(args[i]);
    }
  }
  if (files.length === 0) usage();
  let over = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const count = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
    if (count > maxFile) { console.log(`${file}: ${count} lines (at most ${maxFile})`); over++; }
    for (const f of longFunctions(text, maxFunction)) {
      console.log(`${file}:${f.line}: ${f.length} lines (at most ${maxFunction}): ${f.signature}`);
      over++;
    }
  }
  console.log(`code size: ${files.length} files, ${over} over the limits (file ${maxFile}, function ${maxFunction} lines)`);
  exit(over === 0 ? 0 : 1);
}

function usage() {
  console.error("USAGE: node tools/node/code-size.mjs [--max-file N] [--max-function N] FILE...");
  exit(2);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(argv.slice(2));
