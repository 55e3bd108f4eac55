import { GraphQLError, Kind } from 'graphql';
import { isIsoDate } from '../dates.js';
import { jsonSourceOf, rememberJsonSource } from '../json-source.js';
import { gramsToKg, kgToGrams } from '../weight.js';
import { builder } from './builder.js';
import { keepNode } from './input-paths.js';

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new GraphQLError(`Date must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}

builder.scalarType('Date', {
  description: 'A calendar date, ISO-8601 YYYY-MM-DD.',
  serialize: (v) => String(v),
  parseValue: parseDate,
  parseLiteral: keepNode((ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined)),
});

function parseDateTime(value: unknown): Date {
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : null;
  if (!d || Number.isNaN(d.getTime())) throw new GraphQLError(`DateTime must be ISO-8601, got ${JSON.stringify(value)}`);
  return d;
}

builder.scalarType('DateTime', {
  description: 'An instant, ISO-8601 with time zone, e.g. 2027-06-30T08:00:00Z.',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()),
  parseValue: parseDateTime,
  parseLiteral: keepNode((ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined)),
});

function parseWeight(value: unknown): number {
  try {
    return kgToGrams(value);
  } catch (e) {
    throw new GraphQLError(`Weight: ${(e as Error).message}`);
  }
}

builder.scalarType('Weight', {
  description: 'An exact weight in kilograms as a decimal string with up to 3 decimals (grams), e.g. "19200" or "12.345".',
  serialize: (grams) => gramsToKg(Number(grams)),
  parseValue: parseWeight,
  parseLiteral: keepNode((ast) =>
    parseWeight(ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? ast.value : undefined)),
});

const DECIMAL = /^-?\d{1,12}(\.\d{1,6})?$/;
function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text.trim())) {
    throw new GraphQLError(`Decimal must be a decimal number such as "12.5", got ${JSON.stringify(value)}`);
  }
  return text.trim();
}

builder.scalarType('Decimal', {
  description: 'An exact decimal number as a string, e.g. "12.50"; also accepted as a JSON number on input.',
  serialize: (v) => String(v),
  parseValue: parseDecimal,
  parseLiteral: keepNode((ast) =>
    parseDecimal(ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? ast.value : undefined)),
});

function literalToJson(ast: import('graphql').ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError('GeoJSON must be a JSON object');
  }
}

/** The JSON text of a GraphQL literal, number tokens as written (`6.348210` keeps its zero). */
function literalToJsonText(ast: import('graphql').ValueNode, variables?: Record<string, unknown> | null): string {
  switch (ast.kind) {
    case Kind.INT:
    case Kind.FLOAT:
      return ast.value;
    case Kind.LIST:
      return `[${ast.values.map((v) => literalToJsonText(v, variables)).join(',')}]`;
    case Kind.OBJECT:
      return `{${ast.fields.map((f) => `${JSON.stringify(f.name.value)}:${literalToJsonText(f.value, variables)}`).join(',')}}`;
    case Kind.VARIABLE: {
      const value = variables?.[ast.name.value];
      return jsonSourceOf(value) ?? JSON.stringify(value ?? null);
    }
    default:
      return JSON.stringify(literalToJson(ast, variables));
  }
}

builder.scalarType('GeoJSON', {
  description:
    'A GeoJSON geometry (RFC 7946, WGS84, [longitude, latitude]): a Point, Polygon or MultiPolygon. ' +
    'Validated against EUDR rules where it is stored; decimal places count as written (6.348210 has 6).',
  serialize: (v) => v,
  // Identity: the body parser remembered this object's source text (platform/json-source.ts).
  parseValue: (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new GraphQLError('GeoJSON must be a JSON object');
    return v;
  },
  // A string (e.g. GeoJSON text sent as "{...}") is refused like parseValue refuses it.
  parseLiteral: keepNode((ast, variables?: Record<string, unknown> | null) => {
    const value = literalToJson(ast, variables);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new GraphQLError('GeoJSON must be a JSON object');
    rememberJsonSource(value, literalToJsonText(ast, variables));
    return value;
  }),
});
