// Validates SARIF files against the SARIF 2.1.0 JSON schema (the OASIS schema, draft-04).
//
//   node tools/node/validate-sarif.mjs FILE...
//
// Exit status: 0 every file valid, 1 a file is invalid, 2 usage or unreadable input.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("USAGE: node tools/node/validate-sarif.mjs FILE...");
  process.exit(2);
}

const schemaPath = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
const schema = JSON.parse(await readFile(schemaPath, "utf8"));
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
process.exit(status);
