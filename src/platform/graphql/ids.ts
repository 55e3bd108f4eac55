import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../errors.js';

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
    throw ValidationError.field(path, 'is not a valid ID');
  }
  if (!types.includes(decoded.typename)) {
    throw ValidationError.field(path, `must be the ID of a ${types.join(' or ')}, got a ${decoded.typename || 'malformed'} ID`);
  }
  if (!/^\d{1,15}$/.test(decoded.id)) throw ValidationError.field(path, 'is not a valid ID');
  return { typename: decoded.typename, id: Number(decoded.id) };
}

export const decodeIds = (values: readonly string[], expected: string, path: string): number[] =>
  values.map((v, i) => decodeId(v, expected, `${path}.${i}`));
