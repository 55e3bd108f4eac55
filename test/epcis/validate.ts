import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * The EPCIS 2.0 JSON Schema (GS1), compiled once per process with ajv 8 + ajv-formats 3 in strict
 * mode, shared by every test in a file and by the bench.
 *
 * Strict mode with one exception: `strictRequired` is off. The GS1 schema itself lists
 * `required: ["transformationID"]` in an `anyOf` branch that does not declare the property there
 * (#/allOf/2/anyOf/1), which ajv's strictRequired refuses at compile time; every other strict check
 * (unknown keywords, strictTypes, strictTuples, formats) stays on. Compiling takes 0.2–1.2 s
 * depending on the machine's load.
 */

const SCHEMA_FILE = new URL('./fixtures/EPCIS-JSON-Schema.json', import.meta.url);
// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

let compiled: ValidateFunction | null = null;

export function epcisValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  }
  return compiled;
}

/** The schema's complaints about a document, as readable lines (empty when it is valid). */
export function epcisProblems(document: unknown): string[] {
  const validate = epcisValidator();
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

export const exampleFile = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as unknown;
