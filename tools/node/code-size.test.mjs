// node --test tools/node/code-size.test.mjs: the size limits on made-up sources.
import assert from "node:assert/strict";
import { test } from "node:test";

import { codeOnly, longFunctions } from "./code-size.mjs";

const fn = (name, bodyLines, indent = "") =>
  `${indent}int ${name}(int x) {\n${`${indent}  x += 1;\n`.repeat(bodyLines)}${indent}  return x;\n${indent}}\n`;

test("a function's length runs from its signature to its closing brace", () => {
  const found = longFunctions(`#include <x>\n\n${fn("Short", 3)}\n${fn("Long", 10)}`, 10);
  assert.deepEqual(found, [{ line: 10, length: 13, signature: "int Long(int x) {" }]);
});

test("functions inside namespaces count, classes and declarations do not", () => {
  const text = `namespace a {\nnamespace {\n${fn("Inner", 20)}}  // namespace\nstruct S {\n  int f();\n};\nint g(int);\n}  // namespace a\n`;
  assert.deepEqual(longFunctions(text, 10).map((f) => f.signature), ["int Inner(int x) {"]);
});

test("braces in strings, characters and comments are not counted", () => {
  const text = `int F() {\n  const char* s = "}}}";\n  char c = '}';\n  // }\n  /* } */\n  return 0;\n}\n${fn("After", 12)}`;
  assert.deepEqual(longFunctions(text, 10).map((f) => f.signature), ["int After(int x) {"]);
  assert.equal(codeOnly('a = "x{y";').includes("{"), false);
});

test("a one-line function does not swallow the next", () => {
  const text = `std::string Quote(const std::string& t) { return t; }\n\n${fn("Next", 2)}`;
  assert.deepEqual(longFunctions(text, 3), [{ line: 3, length: 5, signature: "int Next(int x) {" }]);
});

test("a signature over two lines starts at its first", () => {
  const text = `bool Long(int a,\n          int b) {\n${"  a += b;\n".repeat(10)}  return a;\n}\n`;
  assert.deepEqual(longFunctions(text, 5), [{ line: 1, length: 14, signature: "bool Long(int a," }]);
});
