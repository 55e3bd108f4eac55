import { builder } from '../../platform/graphql/builder.js';
import { ErrorInterface } from '../../platform/graphql/errors.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { AllocationLineRef, ProducerRef } from '../refs.js';
import * as lines from './lines.service.js';
import type { StoredConstraints } from './constraints.js';
import type { BindingConstraint, SupplyMode } from './engine.js';
import { InsufficientSupplyError } from './errors.js';

/**
 * The supply ledger's GraphQL vocabulary: supply modes and kinds, binding constraints, line
 * statuses, InsufficientSupplyError, the constraints input and output, and the lists of lines a
 * producer's side may read. The AllocationLine type and the Order's allocation fields are
 * orders/lines.graphql.ts (a line is seen as far as its order is); acceptance is
 * orders/acceptance.graphql.ts.
 */

// Enums and errors ------------------------------------------------------------------------------

export const SupplyModeEnum = builder.enumType('SupplyMode', {
  description: 'Which supply an allocation may use.',
  values: {
    SPOT_ONLY: { description: 'Only graded lots in storage.' },
    FORWARD_ONLY: { description: 'Only open forward commitments.' },
    EITHER: { description: 'Both (default).' },
  } as const satisfies Record<SupplyMode, unknown>,
});

export const SupplyKindEnum = builder.enumType('SupplyKind', {
  description: 'Whether an allocation line draws on a lot or on a commitment.',
  values: {
    SPOT: { description: 'A graded lot in storage.' },
    FORWARD: { description: 'A forward commitment, fulfilled later by delivered lots.' },
  } as const,
});

export const BindingConstraintEnum = builder.enumType('BindingConstraint', {
  description: 'The constraint that makes an order impossible to allocate (the first, in this order, after which it no longer fits).',
  values: {
    SUPPLY: { description: 'Even all offered supply is short.' },
    GRADE: { description: 'Not enough supply at the minimum grade.' },
    SUPPLY_MODE: { description: 'Not enough spot (or forward) supply alone.' },
    REGENCY: { description: 'Not enough supply from the allowed regencies.' },
    EUDR: { description: 'Not enough EUDR-ready supply.' },
    WHOLE_BAGS: { description: 'Not enough once every line is rounded down to whole 60 kg bags.' },
    MAX_SHARE: { description: 'The per-producer share cap leaves too little.' },
    MIN_CONTRIBUTION: { description: 'Too few producers can each contribute the minimum.' },
  } as const satisfies Record<BindingConstraint, unknown>,
});

export const AllocationLineStatusEnum = builder.enumType('AllocationLineStatus', {
  description: 'Whether an allocation line still holds supply.',
  values: {
    ACTIVE: { description: 'Holds its weight of the lot or commitment.' },
    RELEASED: { description: 'Released (order cancelled or reallocated); holds nothing.' },
    SHORTFALL: { description: 'Failed (producer default, lot off-grade); holds nothing, the weight is reallocated.' },
  } as const,
});

builder.objectType(InsufficientSupplyError, {
  name: 'InsufficientSupplyError',
  description: 'The supply cannot cover the order under these constraints; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    requested: t.field({ type: 'Weight', description: 'Weight to allocate.', resolve: (e) => e.requestedG }),
    available: t.field({ type: 'Weight', description: 'The most a valid allocation could cover now.', resolve: (e) => e.availableG }),
    shortfall: t.field({ type: 'Weight', description: 'requested − available.', resolve: (e) => e.shortfallG }),
    bindingConstraint: t.field({ type: BindingConstraintEnum, description: 'The constraint that makes it short.', resolve: (e) => e.binding }),
  }),
});

// Constraints -----------------------------------------------------------------------------------

export const AllocationConstraintsInput = builder.inputType('AllocationConstraintsInput', {
  description: 'Constraints on how an order is split; every field is optional.',
  fields: (t) => ({
    wholeBags: t.boolean({ required: false, description: 'Every line a whole number of 60 kg bags (always on when the order asks for whole bags).' }),
    minContribution: t.field({ type: 'Weight', required: false, description: 'A producer contributes nothing or at least this much (0 or omitted: no minimum).' }),
    maxSharePct: t.field({ type: 'Decimal', required: false, description: 'Largest share of the order one producer may supply, in % (more than 0, at most 100, 4 decimals).' }),
    regencies: t.stringList({ required: false, description: 'Only supply from these regencies (case-insensitive); omit for any.' }),
    eudrOnly: t.boolean({ required: false, description: 'Only EUDR-ready supply (every plot with valid geolocation).' }),
    supply: t.field({ type: SupplyModeEnum, required: false, description: 'Spot, forward or either (default).' }),
  }),
});

export const AllocationConstraintsRef = builder.objectRef<StoredConstraints>('AllocationConstraints').implement({
  description: 'The constraints an allocation was planned with.',
  fields: (t) => ({
    wholeBags: t.exposeBoolean('wholeBags', { description: 'Every line a whole number of 60 kg bags.' }),
    minContribution: t.field({ type: 'Weight', description: 'Minimum per contributing producer (0: none).', resolve: (c) => c.minContributionG }),
    maxSharePct: t.field({ type: 'Decimal', nullable: true, description: 'Largest share per producer in %; null: none.', resolve: (c) => c.maxSharePct }),
    regencies: t.stringList({ nullable: true, description: 'Allowed regencies; null: any.', resolve: (c) => c.regencies }),
    eudrOnly: t.exposeBoolean('eudrOnly', { description: 'Only EUDR-ready supply.' }),
    supply: t.field({ type: SupplyModeEnum, description: 'Spot, forward or either.', resolve: (c) => c.supply }),
  }),
});

// Producers' view -------------------------------------------------------------------------------

builder.objectFields(ProducerRef, (t) => ({
  allocationLines: t.connection({
    type: AllocationLineRef,
    description: 'The producer\'s allocation lines you may see (the producer\'s side all; a brand manager those of the brand\'s orders).',
    complexity: connectionComplexity,
    args: { status: t.arg({ type: AllocationLineStatusEnum, required: false, description: 'Only lines in this status.' }) },
    resolve: (producer, args, ctx) =>
      resolveKeysetConnection(args, (page) =>
        lines.listProducerLines(ctx.db, ctx.principal, producer.id, { status: args.status ?? null }, page),
      ),
  }),
}));

builder.queryFields((t) => ({
  myAllocationLines: t.connection({
    type: AllocationLineRef,
    description: 'Allocation lines of the producers you act for (yourself, or your cooperative\'s members).',
    authScopes: { producer: 'any', coopManager: 'any' },
    complexity: connectionComplexity,
    args: { status: t.arg({ type: AllocationLineStatusEnum, required: false, description: 'Only lines in this status.' }) },
    resolve: (_root, args, ctx) =>
      resolveKeysetConnection(args, (page) => lines.listMyLines(ctx.db, ctx.principal, { status: args.status ?? null }, page)),
  }),
}));
