// Validates SARIF files against the SARIF 2.1.0 JSON schema (the OASIS schema, draft-04).
//
//   node tools/node/validate-sarif.mjs [--stamp STAMP] FILE...
//
// --stamp: files whose bytes, with this validator, the schema and the pinned packages,
// validated before (their digest is in STAMP) are not validated again: compiling the
// schema is half a second, most of a warm quick memory-check run's own time. Only a set
// of files that all passed is written to STAMP.
//
// Exit status: 0 every file valid, 1 a file is invalid, 2 usage or unreadable input.
import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
let files = process.argv.slice(2);
let stampPath = null;
if (files[0] === "--stamp") {
  stampPath = files[1];
  files = files.slice(2);
}
if (files.length === 0 || stampPath === undefined) {
  console.error("USAGE: node tools/node/validate-sarif.mjs [--stamp STAMP] FILE...");
  process.exit(2);
}

async function readOrExit(path, encoding) {
  try {
    return await readFile(path, encoding);
  } catch (error) {
    console.error(`${path}: cannot read: ${error.message}`);
    process.exit(2);
  }
}

const schemaPath = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
let digest = null;
if (stampPath !== null) {
  const hash = createHash("sha256");
  const inputs = [fileURLToPath(import.meta.url), fileURLToPath(new URL("package-lock.json", import.meta.url)),
    schemaPath, ...files];
  for (const path of inputs) {
    const bytes = await readOrExit(path);
    hash.update(`${path} ${bytes.length}\n`).update(bytes);
  }
  digest = hash.digest("hex");
  const stamped = await readFile(stampPath, "utf8").catch(() => "");
  if (stamped.trim() === digest) {
    for (const file of files) console.log(`${file}: valid SARIF 2.1.0 (the same bytes validated before)`);
    process.exit(0);
  }
  await rm(stampPath, { force: true });
}

const { default: Ajv } = await import("ajv-draft-04");
const { default: addFormats } = await import("ajv-formats");
const schema = JSON.parse(await readOrExit(schemaPath, "utf8"));
// allErrors: report every problem of a file at once, not the first only.
// unicodeRegExp off: the schema's language-tag pattern is not valid with the 'u' flag.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

let status = 0;
for (const file of files) {
  let log;
  try {
    log = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    console.error(`${file}: cannot read as JSON: ${error.message}`);
    process.exit(2);
  }
  if (validate(log)) {
    console.log(`${file}: valid SARIF 2.1.0 (${log.runs?.[0]?.results?.length ?? 0} results)`);
  } else {
    status = 1;
    for (const error of validate.errors) {
      console.log(`${file}: ${error.instancePath || "/"}: ${error.message}`);
    }
  }
}
// A stamp that cannot be written only means the next run validates again.
if (status === 0 && stampPath !== null) await writeFile(stampPath, `${digest}\n`).catch(() => {});
process.exit(status);
