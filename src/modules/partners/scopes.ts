import { decodeGlobalID } from '@pothos/plugin-relay';
import {
  type DocumentNode, type FragmentDefinitionNode, getOperationAST, type GraphQLSchema, Kind, type OperationDefinitionNode, type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import type { ClientRole } from '../../platform/db-types.js';

/**
 * The scopes a machine client can hold, and the one table that says which scope each root field
 * needs. Enforced in one place (`scopeViolation`, run before execution) for client tokens, on top of
 * the organisation's roles that every field checks anyway. Default deny: a root field missing from
 * ROOT_FIELD_SCOPES is refused to every client (and a test fails, see test/partners/scopes.test.ts).
 * User tokens are not scope-limited.
 */

export const SCOPES = {
  'catalog:read': 'Read brands, their products and grade schemes, and cooperatives.',
  'availability:read': 'Read aggregated availability (spot and forward weight by grade and regency).',
  'orders:read': 'Read orders, their allocation previews, allocation lines, provenance traces, shipments and their EUDR/EPCIS documents.',
  'orders:write': 'Place, cancel, accept, reject, ship, fulfil and complete orders.',
  'lots:read': 'Read lots, plots, producers and commitments visible to the organisation.',
  'lots:write': 'Register producers and plots, declare lots, record assessments.',
  'commitments:write': 'Commit, amend and withdraw forward volumes.',
  'members:write': 'Apply for, decide, suspend and reinstate brand memberships.',
  'brands:write': 'Update the brand, create products and set grade schemes.',
  'webhooks:manage': 'Register, change, rotate, disable, test and replay the organisation\'s webhook endpoints; read their delivery log.',
  'settlement:read': 'Read payout statements (also as CSV exports), capital records and SHU years.',
  'settlement:write': 'Record payments, costs, exchange rates, certifications, fees, capital and SHU; settle orders.',
} as const;

export type Scope = keyof typeof SCOPES;
export const SCOPE_NAMES = Object.keys(SCOPES) as Scope[];
export const isScope = (s: string): s is Scope => Object.hasOwn(SCOPES, s);

/** What a client of an organisation in this role may hold: never more than the role can do. */
export const ROLE_SCOPES: Record<ClientRole, readonly Scope[]> = {
  ADMIN: SCOPE_NAMES,
  BRAND_MANAGER: [
    'catalog:read', 'availability:read', 'orders:read', 'orders:write', 'lots:read', 'lots:write', 'commitments:write',
    'members:write', 'brands:write', 'webhooks:manage', 'settlement:read', 'settlement:write',
  ],
  COOP_MANAGER: [
    'catalog:read', 'availability:read', 'lots:read', 'lots:write', 'commitments:write', 'members:write', 'webhooks:manage',
    'settlement:read', 'settlement:write',
  ],
  BUYER: ['catalog:read', 'availability:read', 'orders:read', 'orders:write', 'webhooks:manage'],
};

/** Root fields every caller may use (authentication itself). */
export const PUBLIC = 'public' as const;
/** Root fields only people may use, never machine clients (accounts, roles, client management). */
export const USERS_ONLY = 'users-only' as const;
/** `node(id:)`: the scope depends on the type named by the global ID (NODE_TYPE_SCOPES). */
export const BY_NODE_TYPE = 'by-node-type' as const;

export type FieldRule = Scope | typeof PUBLIC | typeof USERS_ONLY | typeof BY_NODE_TYPE;

export const ROOT_FIELD_SCOPES: { query: Record<string, FieldRule>; mutation: Record<string, FieldRule>; subscription: Record<string, Scope> } = {
  query: {
    availability: 'availability:read',
    brand: 'catalog:read',
    brands: 'catalog:read',
    cooperative: 'catalog:read',
    cooperatives: 'catalog:read',
    lot: 'lots:read',
    lots: 'lots:read',
    plots: 'lots:read',
    producers: 'lots:read',
    commitments: 'lots:read',
    order: 'orders:read',
    orders: 'orders:read',
    orderTrace: 'orders:read',
    previewAllocation: 'orders:read',
    myAllocationLines: 'orders:read',
    node: BY_NODE_TYPE,
    me: USERS_ONLY,
    users: USERS_ONLY,
    partnerClients: USERS_ONLY,
    shipment: 'orders:read',
    shipments: 'orders:read',
    eudrPackage: 'orders:read',
    epcisDocument: 'orders:read',
    payoutStatements: 'settlement:read',
    orderStatementsCsv: 'settlement:read',
    cooperativeStatementsCsv: 'settlement:read',
    capitalRecords: 'settlement:read',
    shuYear: 'settlement:read',
    shuMemberLines: 'settlement:read',
    webhookEndpoints: 'webhooks:manage',
  },
  mutation: {
    login: PUBLIC,
    placeOrder: 'orders:write',
    cancelOrder: 'orders:write',
    acceptOrder: 'orders:write',
    rejectOrder: 'orders:write',
    shipOrder: 'orders:write',
    completeOrder: 'orders:write',
    startOrderFulfillment: 'orders:write',
    fulfilLine: 'orders:write',
    declareShortfall: 'orders:write',
    declareLot: 'lots:write',
    recordAssessment: 'lots:write',
    registerPlot: 'lots:write',
    updatePlot: 'lots:write',
    registerProducer: 'lots:write',
    registerProducers: 'lots:write',
    commitVolume: 'commitments:write',
    amendCommitment: 'commitments:write',
    withdrawCommitment: 'commitments:write',
    applyForMembership: 'members:write',
    decideMembership: 'members:write',
    suspendMembership: 'members:write',
    reinstateMembership: 'members:write',
    updateBrand: 'brands:write',
    createProduct: 'brands:write',
    setGradeScheme: 'brands:write',
    createBrand: USERS_ONLY,
    createCooperative: USERS_ONLY,
    createBuyerOrganization: USERS_ONLY,
    createUser: USERS_ONLY,
    setPreferredLanguage: USERS_ONLY,
    grantRole: USERS_ONLY,
    revokeRole: USERS_ONLY,
    recordDdsNumbers: 'orders:write',
    setEpcisIdentifiers: 'brands:write',
    recordDeforestationAssessment: 'lots:write',
    // A producer's consent to be named is personal: people only.
    giveConsent: USERS_ONLY,
    withdrawConsent: USERS_ONLY,
    settleOrder: 'settlement:write',
    recordPayment: 'settlement:write',
    recordOrderCost: 'settlement:write',
    recordExchangeRate: 'settlement:write',
    markStatementPaid: 'settlement:write',
    definePremiumRules: 'settlement:write',
    recordCertification: 'settlement:write',
    setCooperativeFee: 'settlement:write',
    recordMemberCapital: 'settlement:write',
    reverseCapitalRecord: 'settlement:write',
    setShuSplit: 'settlement:write',
    computeShuYear: 'settlement:write',
    closeShuYear: 'settlement:write',
    setOrganizationAdmin: USERS_ONLY,
    registerPartnerClient: USERS_ONLY,
    rotatePartnerClientSecret: USERS_ONLY,
    revokePartnerClientSecret: USERS_ONLY,
    setPartnerClientDisabled: USERS_ONLY,
    setPartnerClientTrustedDocuments: USERS_ONLY,
    registerWebhookEndpoint: 'webhooks:manage',
    updateWebhookEndpoint: 'webhooks:manage',
    rotateWebhookSecret: 'webhooks:manage',
    revokeWebhookSecret: 'webhooks:manage',
    setWebhookEndpointDisabled: 'webhooks:manage',
    replayEvent: 'webhooks:manage',
    sendTestWebhook: 'webhooks:manage',
  },
  // Checked when subscribing over WebSocket (modules/webhooks/subscriptions.graphql.ts).
  subscription: {
    orderUpdated: 'orders:read',
    availabilityChanged: 'availability:read',
    myLotsChanged: 'lots:read',
  },
};

/** Scope needed to fetch an object of this type through `node(id:)`; a type not listed is refused. */
export const NODE_TYPE_SCOPES: Record<string, Scope | typeof USERS_ONLY> = {
  User: USERS_ONLY,
  Brand: 'catalog:read',
  GradeScheme: 'catalog:read',
  Product: 'catalog:read',
  Cooperative: 'catalog:read',
  BuyerOrganization: 'catalog:read',
  Producer: 'lots:read',
  Plot: 'lots:read',
  Lot: 'lots:read',
  Assessment: 'lots:read',
  Commitment: 'lots:read',
  Membership: 'lots:read',
  Order: 'orders:read',
  AllocationLine: 'orders:read',
  Shipment: 'orders:read',
  PayoutStatement: 'settlement:read',
  CapitalRecord: 'settlement:read',
  ShuYear: 'settlement:read',
  ShuMemberLine: 'settlement:read',
};

/**
 * HTTP routes outside /graphql that take a bearer token, by path prefix → the scope a client needs.
 * A client token on any other such route is refused (default deny).
 */
export const HTTP_ROUTE_SCOPES: ReadonlyArray<readonly [prefix: string, scope: Scope]> = [
  ['/exports/shipments/', 'orders:read'],
  ['/exports/settlement/', 'settlement:read'],
  ['/exports/shu/', 'settlement:read'],
];

/** The scope a client needs for this URL outside /graphql, or null when no scope opens it. */
export function httpRouteScope(url: string): Scope | null {
  return HTTP_ROUTE_SCOPES.find(([prefix]) => url.startsWith(prefix))?.[1] ?? null;
}

export interface ScopeViolation {
  field: string;
  /** The scope the field needs, or why no scope can grant it. */
  needs: Scope | typeof USERS_ONLY | 'unmapped';
}

/**
 * The first root field of the operation that these scopes do not allow, or null. Walks the selected
 * operation's root selections, through fragments; `node(id:)` is checked by the ID's type.
 */
export function scopeViolation(
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> | undefined,
  scopes: readonly string[],
  schema?: GraphQLSchema,
): ScopeViolation | null {
  // Without an operation name every operation of the document is checked (conservative).
  const named = operationName ? getOperationAST(document, operationName) : null;
  const operations: OperationDefinitionNode[] = operationName
    ? (named ? [named] : [])
    : document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const held = new Set(scopes);
  const seen = new Set<string>();

  let rules: Record<string, FieldRule> = ROOT_FIELD_SCOPES.query;
  const walk = (set: SelectionSetNode): ScopeViolation | null => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const found = walk(selection.selectionSet);
        if (found) return found;
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        seen.add(name);
        const found = walk(fragment.selectionSet);
        if (found) return found;
        continue;
      }
      const field = selection.name.value;
      if (field.startsWith('__')) continue; // introspection, governed by INTROSPECTION
      const rule = Object.hasOwn(rules, field) ? rules[field] : undefined;
      if (rule === undefined) return { field, needs: 'unmapped' };
      if (rule === PUBLIC) continue;
      if (rule === USERS_ONLY) return { field, needs: USERS_ONLY };
      if (rule === BY_NODE_TYPE) {
        const idArg = selection.arguments?.find((a) => a.name.value === 'id');
        const id = idArg ? valueFromASTUntyped(idArg.value, variables ?? {}) : undefined;
        let typename = '';
        try {
          typename = typeof id === 'string' ? decodeGlobalID(id).typename : '';
        } catch {
          typename = '';
        }
        const needed = Object.hasOwn(NODE_TYPE_SCOPES, typename) ? NODE_TYPE_SCOPES[typename] : undefined;
        if (needed === USERS_ONLY) return { field, needs: USERS_ONLY };
        // A type of the schema that is not mapped: default deny.
        if (!needed && typename && schema?.getType(typename)) return { field, needs: 'unmapped' };
        // An ID that names no type finds nothing anyway; ask for a read scope so the answer
        // does not depend on the scopes.
        if (!needed) {
          if (SCOPE_NAMES.some((s) => s.endsWith(':read') && held.has(s))) continue;
          return { field, needs: 'catalog:read' };
        }
        if (!held.has(needed)) return { field, needs: needed };
        continue;
      }
      if (!held.has(rule)) return { field, needs: rule };
    }
    return null;
  };
  for (const operation of operations) {
    if (operation.operation === 'subscription') return { field: 'subscription', needs: 'unmapped' };
    rules = operation.operation === 'query' ? ROOT_FIELD_SCOPES.query : ROOT_FIELD_SCOPES.mutation;
    seen.clear();
    const found = walk(operation.selectionSet);
    if (found) return found;
  }
  return null;
}

/** The scope list as a Markdown table, with the root fields each scope opens (the README prints this). */
export function scopeTableMarkdown(): string {
  const fieldsOf = (scope: Scope) =>
    (['query', 'mutation', 'subscription'] as const).flatMap((kind) =>
      Object.entries(ROOT_FIELD_SCOPES[kind]).filter(([, rule]) => rule === scope).map(([field]) => `\`${field}\``),
    );
  const roles = (scope: Scope) =>
    (Object.keys(ROLE_SCOPES) as ClientRole[]).filter((r) => ROLE_SCOPES[r].includes(scope)).map((r) => (r === 'ADMIN' ? 'platform' : r.toLowerCase().replace('_', ' ')));
  const rows = SCOPE_NAMES.map((s) => `| \`${s}\` | ${SCOPES[s]} | ${roles(s).join(', ')} | ${fieldsOf(s).join(', ') || '—'} |`);
  return ['| Scope | What it allows | Organisations that can grant it | Root fields |', '|---|---|---|---|', ...rows].join('\n');
}
