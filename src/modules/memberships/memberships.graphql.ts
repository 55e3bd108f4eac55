import type { Context } from '../../platform/graphql/context.js';
import { builder } from '../../platform/graphql/builder.js';
import { commonErrors, ErrorInterface } from '../../platform/graphql/errors.js';
import { BusyError, ConflictError, InvalidTransitionError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { isAdmin } from '../../platform/auth.js';
import { childPage } from '../../platform/graphql/loaders.js';
import { loadProducerAccess } from '../producers/access.js';
import { BrandRef, MembershipRef, ProducerRef } from '../refs.js';
import { NotApprovedMemberError } from './errors.js';
import * as repo from './memberships.repo.js';
import * as memberships from './memberships.service.js';

export const MembershipStatusEnum = builder.enumType('MembershipStatus', {
  description: 'Where a membership stands.',
  values: {
    APPLIED: { description: 'Applied; waiting for a curator or the brand manager.' },
    APPROVED: { description: 'An approved member: may commit supply and be allocated.' },
    REJECTED: { description: 'Rejected (with a reason); the producer may apply again.' },
    SUSPENDED: { description: 'Suspended by the brand manager; may be reinstated.' },
  } as const,
});

builder.objectType(NotApprovedMemberError, {
  name: 'NotApprovedMemberError',
  description: 'Only approved members of the brand may do this.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    path: t.exposeString('path', { nullable: true, description: 'The input field naming the producer.' }),
    status: t.field({
      type: MembershipStatusEnum,
      nullable: true,
      description: 'The producer\'s membership status in the brand; null when they never applied.',
      resolve: (e) => e.status,
    }),
  }),
});

const MembershipEventObject = builder.objectRef<repo.MembershipEventRow>('MembershipEvent').implement({
  description: 'One transition of a membership.',
  fields: (t) => ({
    fromStatus: t.field({
      type: MembershipStatusEnum,
      nullable: true,
      description: 'Status before; null for the first application.',
      resolve: (e) => e.from_status,
    }),
    toStatus: t.field({ type: MembershipStatusEnum, description: 'Status after.', resolve: (e) => e.to_status }),
    actor: t.exposeString('actor_name', { nullable: true, description: 'Display name of who made the change.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why (required for rejections and suspensions).' }),
    at: t.expose('at', { type: 'DateTime', description: 'When.' }),
  }),
});

/** A membership is visible to the brand side (admin, manager, curator) and to whoever manages the producer. */
async function canSeeMembership(m: repo.MembershipRow, ctx: Context): Promise<boolean> {
  if (memberships.seesBrandMemberships(ctx.principal, m.brand_id)) return true;
  return (await loadProducerAccess(ctx, m.producer_id)).manage;
}

MembershipRef.implement({
  description: 'A producer\'s membership in a brand: APPLIED → APPROVED or REJECTED; APPROVED ⇄ SUSPENDED.',
  authScopes: (m, ctx) => canSeeMembership(m, ctx),
  fields: (t) => ({
    producer: t.field({ type: ProducerRef, description: 'The producer.', resolve: (m) => String(m.producer_id) }),
    brand: t.field({ type: BrandRef, description: 'The brand.', resolve: (m) => String(m.brand_id) }),
    status: t.field({ type: MembershipStatusEnum, description: 'Current status.', resolve: (m) => m.status }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the producer first applied.' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime', description: 'When the status last changed.' }),
    history: t.loadableList({
      type: MembershipEventObject,
      description: 'Every transition, oldest first, with who and why.',
      load: async (ids: number[], ctx: Context) => {
        const rows = await repo.eventsOfMemberships(ctx.db, ids);
        return ids.map((id) => rows.filter((r) => r.membership_id === id));
      },
      resolve: (m) => m.id,
    }),
  }),
});

builder.objectFields(BrandRef, (t) => ({
  memberships: t.connection({
    type: MembershipRef,
    // Nullable: for anyone else it is null with a FORBIDDEN error on this field only, and the rest of the answer survives.
    nullable: true,
    description: 'Memberships of the brand, optionally in one status (its manager, its curators, admins); for anyone else null, with a FORBIDDEN error on this field.',
    authScopes: (brand) => ({ admin: true, brandManager: brand.id, curator: brand.id }),
    complexity: connectionComplexity,
    args: { status: t.arg({ type: MembershipStatusEnum, required: false, description: 'Only memberships in this status.' }) },
    resolve: (brand, args, ctx) =>
      resolveKeysetConnection(args, (page) =>
        childPage(ctx, `Brand.memberships:${args.status ?? ''}:${JSON.stringify(page)}`, (ids) =>
          repo.membershipsPerBrand(ctx.db, ids, args.status ?? null, page),
        ).load(brand.id),
      ),
  }),
}));

builder.objectFields(ProducerRef, (t) => ({
  memberships: t.loadableList({
    type: MembershipRef,
    description: 'The producer\'s memberships you may see (all, for the producer and their cooperative manager; your brands\', for brand staff).',
    load: async (producerIds: number[], ctx: Context) => {
      const rows = await repo.membershipsOfProducers(ctx.db, producerIds);
      const manage = new Map(
        await Promise.all(producerIds.map(async (id) => [id, isAdmin(ctx.principal) || (await loadProducerAccess(ctx, id)).manage] as const)),
      );
      return producerIds.map((id) =>
        rows.filter((m) => m.producer_id === id && (manage.get(id) || memberships.seesBrandMemberships(ctx.principal, m.brand_id))),
      );
    },
    resolve: (p) => p.id,
  }),
}));

// Mutations ------------------------------------------------------------------------------------

const MembershipDecisionEnum = builder.enumType('MembershipDecision', {
  description: 'A curation decision.',
  values: { APPROVE: { description: 'Approve the application.' }, REJECT: { description: 'Reject it (a reason is required).' } } as const,
});

const ApplyInput = builder.inputType('ApplyForMembershipInput', {
  description: 'An application of a producer to a brand.',
  fields: (t) => ({
    producerId: t.id({ description: 'The producer (yourself, or a member of your cooperative).' }),
    brandId: t.id({ description: 'The brand.' }),
  }),
});

const DecideInput = builder.inputType('DecideMembershipInput', {
  description: 'A decision on a membership application.',
  fields: (t) => ({
    membershipId: t.id({ description: 'The membership (APPLIED).' }),
    decision: t.field({ type: MembershipDecisionEnum, description: 'Approve or reject.' }),
    reason: t.string({ required: false, description: 'Why; required to reject.' }),
  }),
});

const SuspendInput = builder.inputType('SuspendMembershipInput', {
  description: 'Suspend an approved member.',
  fields: (t) => ({
    membershipId: t.id({ description: 'The membership (APPROVED).' }),
    reason: t.string({ description: 'Why (required).' }),
  }),
});

const ReinstateInput = builder.inputType('ReinstateMembershipInput', {
  description: 'Reinstate a suspended member.',
  fields: (t) => ({
    membershipId: t.id({ description: 'The membership (SUSPENDED).' }),
    reason: t.string({ required: false, description: 'Why (optional).' }),
  }),
});

const membershipErrors = [InvalidTransitionError, ConflictError, BusyError, ...commonErrors];

builder.mutationFields((t) => ({
  applyForMembership: t.field({
    type: MembershipRef,
    description: 'Apply for membership of a brand (the producer, their cooperative manager, or an admin); also re-applies after a rejection.',
    authScopes: { admin: true, producer: 'any', coopManager: 'any' },
    errors: { types: membershipErrors },
    args: { input: t.arg({ type: ApplyInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      memberships.applyForMembership(
        ctx.db,
        ctx.principal,
        decodeId(input.producerId, 'Producer', 'input.producerId'),
        decodeId(input.brandId, 'Brand', 'input.brandId'),
      ),
  }),
  decideMembership: t.field({
    type: MembershipRef,
    description: 'Approve or reject a membership application (a curator or the manager of the brand).',
    authScopes: { admin: true, curator: 'any', brandManager: 'any' },
    errors: { types: membershipErrors },
    args: { input: t.arg({ type: DecideInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      memberships.decideMembership(
        ctx.db,
        ctx.principal,
        decodeId(input.membershipId, 'Membership', 'input.membershipId'),
        input.decision,
        input.reason,
      ),
  }),
  suspendMembership: t.field({
    type: MembershipRef,
    description: 'Suspend an approved member (the manager of the brand), with a reason.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: membershipErrors },
    args: { input: t.arg({ type: SuspendInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      memberships.suspendMembership(ctx.db, ctx.principal, decodeId(input.membershipId, 'Membership', 'input.membershipId'), input.reason),
  }),
  reinstateMembership: t.field({
    type: MembershipRef,
    description: 'Reinstate a suspended member (the manager of the brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: membershipErrors },
    args: { input: t.arg({ type: ReinstateInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      memberships.reinstateMembership(ctx.db, ctx.principal, decodeId(input.membershipId, 'Membership', 'input.membershipId'), input.reason),
  }),
}));
