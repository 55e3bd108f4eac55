import { builder } from '../../platform/graphql/builder.js';
import { commonErrors, ErrorInterface } from '../../platform/graphql/errors.js';
import { BusyError, ConflictError, InvalidTransitionError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { childPage } from '../../platform/graphql/loaders.js';
import { GradeLevelRef } from '../brands/brands.graphql.js';
import { canSeeSupplyRow } from '../lots/visibility.js';
import { NotApprovedMemberError } from '../memberships/errors.js';
import { BrandRef, CommitmentRef, ProducerRef, ProductRef } from '../refs.js';
import * as commitments from './commitments.service.js';

const CommitmentStatusEnum = builder.enumType('CommitmentStatus', {
  description: 'Whether a commitment still counts as forward supply.',
  values: {
    OPEN: { description: 'Counts as forward supply; may be amended and allocated.' },
    WITHDRAWN: { description: 'Withdrawn by the producer; no longer supply.' },
  } as const,
});

builder.objectType(commitments.CommitmentAllocatedError, {
  name: 'CommitmentAllocatedError',
  description: 'The commitment has weight allocated to orders; release it first.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    allocatedWeight: t.field({ type: 'Weight', description: 'Weight allocated to orders.', resolve: (e) => e.allocatedG }),
    path: t.exposeString('path', { nullable: true, description: 'The input field concerned.' }),
  }),
});

CommitmentRef.implement({
  description: 'A producer\'s promise to deliver a volume of a product at a minimum grade within a window (forward supply).',
  authScopes: (c, ctx) => canSeeSupplyRow(ctx, 'commitment', c),
  fields: (t) => ({
    producer: t.field({ type: ProducerRef, description: 'Who committed.', resolve: (c) => String(c.producer_id) }),
    product: t.field({ type: ProductRef, description: 'What is committed.', resolve: (c) => String(c.product_id) }),
    brand: t.field({ type: BrandRef, description: 'The communal brand it is committed to.', resolve: (c) => String(c.brand_id) }),
    regency: t.exposeString('regency', { description: 'Regency (kabupaten) of production, from the producer.' }),
    minGrade: t.field({
      type: GradeLevelRef,
      description: 'The lowest grade the producer promises to deliver.',
      resolve: (c) => ({ code: c.min_grade_code, rank: c.min_grade_rank }),
    }),
    weight: t.expose('committed_g', { type: 'Weight', description: 'Committed weight.' }),
    allocatedWeight: t.expose('allocated_g', { type: 'Weight', description: 'Weight allocated to orders.' }),
    openWeight: t.field({
      type: 'Weight',
      description: 'Weight still unallocated (committed − allocated); 0 once withdrawn.',
      resolve: (c) => (c.status === 'OPEN' ? c.committed_g - c.allocated_g : 0),
    }),
    windowStart: t.expose('window_start', { type: 'Date', description: 'First day of the delivery window.' }),
    windowEnd: t.expose('window_end', { type: 'Date', description: 'Last day of the delivery window.' }),
    status: t.expose('status', { type: CommitmentStatusEnum, description: 'OPEN or WITHDRAWN.' }),
    eudrReady: t.exposeBoolean('eudr_ready', { description: 'Whether the producer had EUDR-ready plots (at least one, all valid) when committing.' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the commitment was made.' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

const CommitVolumeInput = builder.inputType('CommitVolumeInput', {
  description: 'A promise to deliver a volume of a product.',
  fields: (t) => ({
    producerId: t.id({ description: 'The producer (yourself, or a member of your cooperative); an approved member of the product\'s brand.' }),
    productId: t.id({ description: 'The product.' }),
    minGrade: t.string({ description: 'Code of the lowest grade promised, from the product\'s current scheme (e.g. "3").' }),
    weight: t.field({ type: 'Weight', description: 'Weight promised, more than 0 and at most 1,000 t.' }),
    windowStart: t.field({ type: 'Date', description: 'First day of the delivery window.' }),
    windowEnd: t.field({ type: 'Date', description: 'Last day of the delivery window (on or after windowStart, not in the past).' }),
  }),
});

const AmendCommitmentInput = builder.inputType('AmendCommitmentInput', {
  description: 'Changes to an open commitment; omitted fields stay.',
  fields: (t) => ({
    commitmentId: t.id({ description: 'The commitment.' }),
    weight: t.field({ type: 'Weight', required: false, description: 'New weight; never below the weight allocated to orders.' }),
    windowStart: t.field({ type: 'Date', required: false, description: 'New first day of the window (fixed while allocated).' }),
    windowEnd: t.field({ type: 'Date', required: false, description: 'New last day of the window (fixed while allocated).' }),
  }),
});

const WithdrawCommitmentInput = builder.inputType('WithdrawCommitmentInput', {
  description: 'Withdraw an open commitment that has nothing allocated.',
  fields: (t) => ({
    commitmentId: t.id({ description: 'The commitment.' }),
    reason: t.string({ description: 'Why (kept in the provenance log).' }),
  }),
});

builder.queryFields((t) => ({
  commitments: t.connection({
    type: CommitmentRef,
    description: 'Commitments you may see: your own, your cooperative members\', or your brand\'s. Buyers see none.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    args: {
      productId: t.arg.id({ required: false, description: 'Only commitments to this product.' }),
      producerId: t.arg.id({ required: false, description: 'Only commitments of this producer.' }),
      status: t.arg({ type: CommitmentStatusEnum, required: false, description: 'Only commitments in this status.' }),
    },
    resolve: (_root, args, ctx) => {
      const filter = {
        productId: args.productId ? decodeId(args.productId, 'Product', 'productId') : null,
        producerId: args.producerId ? decodeId(args.producerId, 'Producer', 'producerId') : null,
        status: args.status ?? null,
      };
      return resolveKeysetConnection(args, (page) => commitments.listCommitments(ctx.db, ctx.principal, filter, page));
    },
  }),
}));

builder.objectFields(ProducerRef, (t) => ({
  commitments: t.connection({
    type: CommitmentRef,
    description: 'The producer\'s commitments (those you may see).',
    complexity: connectionComplexity,
    args: { status: t.arg({ type: CommitmentStatusEnum, required: false, description: 'Only commitments in this status.' }) },
    resolve: (producer, args, ctx) =>
      resolveKeysetConnection(args, (page) =>
        childPage(ctx, `Producer.commitments:${args.status ?? ''}:${JSON.stringify(page)}`, (ids) =>
          commitments.commitmentsPerProducer(ctx.db, ctx.principal, ids, { status: args.status ?? null }, page),
        ).load(producer.id),
      ),
  }),
}));

const producerSide = { admin: true, producer: 'any', coopManager: 'any' } as const;

builder.mutationFields((t) => ({
  commitVolume: t.field({
    type: CommitmentRef,
    description: 'Promise to deliver a volume of a product at a minimum grade within a window (an approved member, or their cooperative manager).',
    authScopes: producerSide,
    errors: { types: [NotApprovedMemberError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: CommitVolumeInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      commitments.commitVolume(ctx.db, ctx.principal, {
        ...input,
        producerId: decodeId(input.producerId, 'Producer', 'input.producerId'),
        productId: decodeId(input.productId, 'Product', 'input.productId'),
      }),
  }),
  amendCommitment: t.field({
    type: CommitmentRef,
    description: 'Change the weight or window of an open commitment; never below what is allocated to orders.',
    authScopes: producerSide,
    errors: { types: [ConflictError, NotApprovedMemberError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: AmendCommitmentInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      commitments.amendCommitment(ctx.db, ctx.principal, {
        commitmentId: decodeId(input.commitmentId, 'Commitment', 'input.commitmentId'),
        weight: input.weight ?? null,
        windowStart: input.windowStart ?? null,
        windowEnd: input.windowEnd ?? null,
      }),
  }),
  withdrawCommitment: t.field({
    type: CommitmentRef,
    description: 'Withdraw an open commitment that has nothing allocated to orders.',
    authScopes: producerSide,
    errors: { types: [commitments.CommitmentAllocatedError, InvalidTransitionError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: WithdrawCommitmentInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      commitments.withdrawCommitment(ctx.db, ctx.principal, {
        commitmentId: decodeId(input.commitmentId, 'Commitment', 'input.commitmentId'),
        reason: input.reason,
      }),
  }),
}));
