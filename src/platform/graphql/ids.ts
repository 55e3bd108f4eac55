import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../errors.js';
import { ISSUES } from '../issue-messages.js';

/**
 * A row key as global IDs carry it: a positive integer that fits int8 (and a JS number exactly:
 * at most 15 digits). Anything else (`1.5`, `abc`, `Infinity`, 20 digits, `0`, `-1`) is refused
 * before any query, so it can never reach PostgreSQL as a bigint parse error.
 */
const ROW_KEY = /^[1-9]\d{0,14}$/;
export const isRowKey = (id: string): boolean => ROW_KEY.test(id);

/**
 * The relay plugin's decoder for `node(id:)`: never throws. A global ID that is not base64 of
 * `Type:key` decodes to an empty typename, which the node field answers with null (see builder.ts).
 */
export function decodeGlobalIdLeniently(value: string): { typename: string; id: string } {
  try {
    return decodeGlobalID(value);
  } catch {
    return { typename: '', id: '' };
  }
}

/** Global ID of a row, e.g. globalId('Lot', 42). */
export const globalId = (typename: string, id: number): string => encodeGlobalID(typename, id);

/**
 * Decode a global ID from client input into a row id, checking it names one of the expected types.
 * A malformed ID or one of the wrong type is a ValidationError naming the field.
 */
export function decodeId(value: string, expected: string | readonly string[], path: string): number {
  return decodeTypedId(value, expected, path).id;
}

export function decodeTypedId(value: string, expected: string | readonly string[], path: string): { typename: string; id: number } {
  const types = typeof expected === 'string' ? [expected] : expected;
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(value);
  } catch {
    throw ValidationError.field(path, ISSUES.invalidId);
  }
  if (!types.includes(decoded.typename)) {
    throw ValidationError.field(path, ISSUES.wrongIdType({ expected: [...types], got: decoded.typename }));
  }
  if (!isRowKey(decoded.id)) throw ValidationError.field(path, ISSUES.invalidId);
  return { typename: decoded.typename, id: Number(decoded.id) };
}

export const decodeIds = (values: readonly string[], expected: string, path: string): number[] =>
  values.map((v, i) => decodeId(v, expected, `${path}.${i}`));
