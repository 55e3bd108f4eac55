import {
  getNamedType, getNullableType, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLOutputType, type GraphQLSchema,
  isEnumType, isInputObjectType, isInterfaceType, isListType, isNonNullType, isObjectType, isScalarType, isUnionType,
} from 'graphql';

/**
 * Helpers that read the schema to build requests for every root field (issue 8 done-means): where
 * the IDs are in each field's arguments ("slots"), a plausible value for every other required
 * argument, and a selection that shows what the answer is without depending on the data.
 */

/**
 * The GraphQL type(s) an ID argument refers to, by its name, or by `field.name` where one name means
 * different types. A new ID argument must be named here (the walk fails otherwise).
 */
export const ID_SLOT_TYPES: Record<string, readonly string[]> = {
  productId: ['Product'], cooperativeId: ['Cooperative'], producerId: ['Producer'], shipmentId: ['Shipment'], orderId: ['Order'],
  brandId: ['Brand'], commitmentId: ['Commitment'], shuYearId: ['ShuYear'], membershipId: ['Membership'], plotIds: ['Plot'],
  plotId: ['Plot'], lineId: ['AllocationLine'], lotId: ['Lot'], userId: ['User'], statementId: ['PayoutStatement'],
  buyerOrganizationId: ['BuyerOrganization'], capitalRecordId: ['CapitalRecord'], clientId: ['PartnerClient'],
  secretId: ['PartnerClientSecret'], grantId: ['RoleGrant'],
  organizationId: ['Brand', 'Cooperative', 'BuyerOrganization'],
  endpointId: ['WebhookEndpoint'], 'revokeWebhookSecret.secretId': ['WebhookSecret'],
};

export const slotTypesOf = (fieldName: string, name: string): readonly string[] | undefined =>
  ID_SLOT_TYPES[`${fieldName}.${name}`] ?? ID_SLOT_TYPES[name];

/** `id` arguments of direct fields: the field's own type (node: any Node type). */
export const idArgType = (field: GraphQLField<unknown, unknown>, nodeTypes: readonly string[]): readonly string[] => {
  if (field.name === 'node') return nodeTypes;
  const named = getNamedType(field.type).name;
  return [named];
};

export interface Slot {
  /** Dotted path of the ID leaf in the arguments, e.g. `input.orderId` or `input.shipment.containers.0.lots.0.lotId`. */
  path: string[];
  types: readonly string[];
  list: boolean;
}

/** Every ID leaf in a field's arguments (required or not), down nested inputs and lists. */
export function idSlots(field: GraphQLField<unknown, unknown>, nodeTypes: readonly string[]): Slot[] {
  const slots: Slot[] = [];
  const walk = (type: GraphQLInputType, path: string[], seen: Set<string>) => {
    const inner = getNullableType(type);
    if (isListType(inner)) return walk(inner.ofType, [...path, '0'], seen);
    const named = getNamedType(type);
    if (named.name === 'ID') {
      const name = path.filter((p) => p !== '0').at(-1)!;
      const types = path.length === 1 && name === 'id' ? idArgType(field, nodeTypes) : slotTypesOf(field.name, name);
      if (!types) throw new Error(`${field.name}: ID argument ${path.join('.')} has no entry in ID_SLOT_TYPES`);
      slots.push({ path, types, list: path.at(-1) === '0' });
      return;
    }
    if (isInputObjectType(named) && !seen.has(named.name)) {
      const next = new Set(seen).add(named.name);
      for (const f of Object.values(named.getFields())) walk(f.type, [...path, f.name], next);
    }
  };
  for (const arg of field.args) walk(arg.type, [arg.name], new Set());
  return slots;
}

const POINT = { type: 'Point', coordinates: [113.8214501, -7.9131234] };

function scalarValue(name: string, fieldName: string): unknown {
  switch (name) {
    case 'String': {
      if (/idempotencyKey/i.test(fieldName)) return 'walk-idempotency-key-0001';
      if (/email/i.test(fieldName)) return 'walk@example.test';
      if (/password/i.test(fieldName)) return 'walk-password-0123456789';
      if (/country/i.test(fieldName)) return 'EG';
      if (/grade/i.test(fieldName)) return '2';
      if (/^portOf/.test(fieldName)) return fieldName === 'portOfLoading' ? 'IDSUB' : 'EGALY';
      if (fieldName === 'referenceNumber') return '26BE7XTVCZAQ2S';
      if (fieldName === 'verificationNumber') return 'WALK1234';
      if (fieldName === 'scopes') return 'orders:read';
      if (fieldName === 'containerNumber') return 'CSQU3054383';
      return 'walk';
    }
    case 'Int': return /year/i.test(fieldName) ? 2025 : 1;
    case 'Float': return 1;
    case 'Boolean': return false;
    case 'Decimal': return '1';
    case 'Weight': return '60';
    // Windows lie ahead; days something happened (rates, payments, records) lie behind.
    case 'Date': return /window|harvest/i.test(fieldName) ? (/end/i.test(fieldName) ? '2027-09-30' : '2027-05-01') : '2026-11-02';
    case 'DateTime': return '2027-05-01T00:00:00.000Z';
    case 'GeoJSON': return POINT;
    default: return 'walk';
  }
}

/**
 * A value for an input type: its required fields (and the fields on `want`'s path) filled in, IDs
 * from `idFor(slotName, path)`.
 */
export function inputValue(
  type: GraphQLInputType,
  fieldName: string,
  path: string[],
  want: string[] | null,
  idFor: (name: string, path: string[]) => string,
  all = false,
): unknown {
  const inner = getNullableType(type);
  if (isListType(inner)) return [inputValue(inner.ofType, fieldName, [...path, '0'], want, idFor, all)];
  const named = getNamedType(type);
  if (named.name === 'ID') return idFor(fieldName, path);
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isScalarType(named)) return scalarValue(named.name, fieldName);
  if (isInputObjectType(named)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) {
      const p = [...path, f.name];
      const onPath = want !== null && p.every((seg, i) => want[i] === seg);
      if (isNonNullType(f.type) || onPath || all) out[f.name] = inputValue(f.type, f.name, p, want, idFor, all);
    }
    return out;
  }
  return null;
}

/**
 * Arguments of a root field: required ones, plus the ones on the slot's path (and `first: 1` for
 * connections). With `all`, every field of the input objects is filled in too (an update that
 * needs "something to change" gets past its validation that way).
 */
export function argumentsFor(
  field: GraphQLField<unknown, unknown>,
  want: string[] | null,
  idFor: (name: string, path: string[]) => string,
  all = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of field.args) {
    const onPath = want !== null && want[0] === arg.name;
    if (isNonNullType(arg.type) || onPath) out[arg.name] = inputValue(arg.type, arg.name, [arg.name], want, idFor, all);
    else if (arg.name === 'first') out.first = 1;
  }
  return out;
}

function selection(type: GraphQLOutputType, schema: GraphQLSchema, depth = 0): string {
  const named: GraphQLNamedType = getNamedType(type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (isUnionType(named) || (isInterfaceType(named) && named.name !== 'Node')) {
    const errorish = schema.getType('ValidationError') ? ' ... on ValidationError { issues { path message } } ... on NotFoundError { path }' : '';
    return `{ __typename ... on Error { code message }${errorish} }`;
  }
  if (isInterfaceType(named)) return '{ __typename id }';
  if (isObjectType(named)) {
    const fields = named.getFields();
    if (fields.edges && depth === 0) return `{ edges { node { __typename } } }`;
    return '{ __typename }';
  }
  return '';
}

/** A document calling one root field with its arguments as variables. */
export function documentFor(schema: GraphQLSchema, operation: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): string {
  const used = field.args.filter((a) => a.name in args);
  const vars = used.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = used.length ? `(${used.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  return `${operation} Walk${vars ? `(${vars})` : ''} { ${field.name}${call} ${selection(field.type, schema)} }`;
}
