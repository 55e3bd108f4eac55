import { hasRole, isAdmin } from '../../platform/auth.js';
import { BusyError, IdempotencyInProgressError, IdempotencyKeyReusedError, InvalidTransitionError } from '../../platform/errors.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { primeLoader } from '../../platform/graphql/loaders.js';
import { AllocationConstraintsInput, AllocationConstraintsRef, SupplyKindEnum } from '../allocation/allocation.graphql.js';
import type { CommitmentRow, LotRow } from '../allocation/allocation.repo.js';
import { explainFairness } from '../allocation/allocation.service.js';
import { commitmentKey, lotKey } from '../allocation/candidate-key.js';
import type { ExplainedLine, PlanSummary, Strategy, SupplyMode } from '../allocation/engine.js';
import { InsufficientSupplyError } from '../allocation/errors.js';
import { AllocationStrategyEnum, GradeLevelRef } from '../brands/brands.graphql.js';
import { CommitmentRef, LotRef, OrderRef, ProducerRef } from '../refs.js';
import * as acceptance from './acceptance.js';
import type { AllocationPreview } from './acceptance.js';

/** previewAllocation and acceptOrder: the order transition REQUESTED → ACCEPTED and its dry run. */

interface PlannedLineView {
  line: ExplainedLine;
  lot: LotRow | null;
  commitment: CommitmentRow | null;
  brandId: number;
}

const PlannedLineRef = builder.objectRef<PlannedLineView>('PlannedAllocationLine').implement({
  description: 'One line of a previewed allocation (not written).',
  fields: (t) => ({
    kind: t.field({ type: SupplyKindEnum, description: 'SPOT (a lot) or FORWARD (a commitment).', resolve: (p) => p.line.kind }),
    weight: t.field({ type: 'Weight', description: 'Weight the line would get.', resolve: (p) => p.line.weightG }),
    reason: t.string({ description: 'Why this line gets this weight, in Indonesian or English by Accept-Language.', resolve: (p, _args, ctx) => p.line.reasonIn(ctx.language) }),
    producer: t.field({
      type: ProducerRef,
      nullable: true,
      description: 'Who would supply it (brand managers of the brand and admins only).',
      authScopes: (p, _args, ctx) => isAdmin(ctx.principal) || hasRole(ctx.principal, 'BRAND_MANAGER', p.brandId),
      resolve: (p) => p.line.producerId,
    }),
    lot: t.field({ type: LotRef, nullable: true, description: 'The lot (spot lines).', resolve: (p) => p.lot }),
    commitment: t.field({ type: CommitmentRef, nullable: true, description: 'The commitment (forward lines).', resolve: (p) => p.commitment }),
    grade: t.field({
      type: GradeLevelRef,
      description: 'Grade of the lot, or the minimum grade the commitment promises.',
      resolve: (p) =>
        p.lot ? { code: p.lot.grade_code ?? '', rank: p.lot.grade_rank ?? 0 } : { code: p.commitment!.min_grade_code, rank: p.commitment!.min_grade_rank },
    }),
    regency: t.string({ description: 'Regency the supply comes from.', resolve: (p) => (p.lot ?? p.commitment)!.regency }),
  }),
});

const AllocationSummaryRef = builder.objectRef<PlanSummary>('AllocationSummary').implement({
  description: 'Figures of an allocation plan.',
  fields: (t) => ({
    requested: t.field({ type: 'Weight', description: 'Weight to allocate.', resolve: (s) => s.requestedG }),
    allocated: t.field({ type: 'Weight', description: 'Σ of the lines (equals requested).', resolve: (s) => s.allocatedG }),
    contributors: t.exposeInt('contributors', { description: 'Producers with at least one line.' }),
    eligibleProducers: t.exposeInt('eligibleProducers', { description: 'Producers with eligible supply (the population of the fairness index).' }),
    largestShare: t.field({ type: 'Weight', description: 'The largest total of one producer.', resolve: (s) => s.largestShareG }),
    largestSharePct: t.field({ type: 'Decimal', description: 'largestShare as % of requested (4 decimals).', resolve: (s) => String(s.largestSharePct) }),
    spot: t.field({ type: 'Weight', description: 'Weight from lots in storage.', resolve: (s) => s.spotG }),
    forward: t.field({ type: 'Weight', description: 'Weight from forward commitments.', resolve: (s) => s.forwardG }),
    capacity: t.field({ type: 'Weight', description: 'The most that could be allocated if the order were unlimited.', resolve: (s) => s.capacityG }),
    fairness: t.field({ type: 'Decimal', description: 'Jain\'s fairness index of the producers\' fill ratios (0–1, 4 decimals).', resolve: (s) => String(s.fairness) }),
    fairnessExplanation: t.string({
      description: 'What the fairness index means for this plan, in Indonesian or English by Accept-Language.',
      resolve: (s, _args, ctx) => explainFairness(s, ctx.language),
    }),
  }),
});

const AllocationPlanRef = builder.objectRef<AllocationPreview>('AllocationPlan').implement({
  description: 'A previewed allocation of an order: what acceptOrder would write now. Nothing is written.',
  fields: (t) => ({
    order: t.field({ type: OrderRef, description: 'The order.', resolve: (p) => p.order }),
    strategy: t.field({ type: AllocationStrategyEnum, description: 'Strategy used.', resolve: (p) => p.strategy }),
    constraints: t.field({ type: AllocationConstraintsRef, description: 'Constraints used.', resolve: (p) => p.constraints }),
    lines: t.field({
      type: [PlannedLineRef],
      description: 'The lines, in the strategy\'s priority order.',
      resolve: (p) => {
        const lots = new Map(p.lots.map((l) => [lotKey(l.id), l]));
        const commitments = new Map(p.commitments.map((c) => [commitmentKey(c.id), c]));
        return p.plan.lines.map((line) => ({
          line,
          lot: lots.get(line.candidateId) ?? null,
          commitment: commitments.get(line.candidateId) ?? null,
          brandId: p.order.brand_id,
        }));
      },
    }),
    summary: t.field({ type: AllocationSummaryRef, description: 'Contributors, shares, spot/forward split and fairness.', resolve: (p) => p.plan.summary }),
  }),
});

const PreviewAllocationInput = builder.inputType('PreviewAllocationInput', {
  description: 'An order and how to split it.',
  fields: (t) => ({
    orderId: t.id({ description: 'The order (REQUESTED).' }),
    strategy: t.field({ type: AllocationStrategyEnum, required: false, description: 'Strategy; default: the brand\'s default strategy.' }),
    constraints: t.field({ type: AllocationConstraintsInput, required: false, description: 'Constraints; default: none (whole bags if the order asks).' }),
  }),
});

const AcceptOrderInput = builder.inputType('AcceptOrderInput', {
  description: 'An order to accept, and how to split it.',
  fields: (t) => ({
    orderId: t.id({ description: 'The order (REQUESTED).' }),
    strategy: t.field({ type: AllocationStrategyEnum, required: false, description: 'Strategy; default: the brand\'s default strategy.' }),
    constraints: t.field({ type: AllocationConstraintsInput, required: false, description: 'Constraints; default: none (whole bags if the order asks).' }),
    idempotencyKey: t.string({ description: 'A unique key per acceptance (8–200 characters): retrying with the same key returns the same result.' }),
  }),
});

interface ConstraintsGql {
  wholeBags?: boolean | null;
  minContribution?: number | null;
  maxSharePct?: string | null;
  regencies?: string[] | null;
  eudrOnly?: boolean | null;
  supply?: SupplyMode | null;
}

const planRequest = (input: { orderId: string; strategy?: Strategy | null; constraints?: ConstraintsGql | null }) => ({
  orderId: decodeId(input.orderId, 'Order', 'input.orderId'),
  strategy: input.strategy ?? null,
  constraints: input.constraints ?? null,
});

/** The plan's lots, commitments and order are already loaded: resolving them costs no query. */
function primePreview(ctx: Context, preview: AllocationPreview) {
  primeLoader(LotRef.getDataloader(ctx), preview.lots);
  primeLoader(CommitmentRef.getDataloader(ctx), preview.commitments);
  primeLoader(OrderRef.getDataloader(ctx), [preview.order]);
  return preview;
}

builder.queryFields((t) => ({
  previewAllocation: t.field({
    type: AllocationPlanRef,
    description: 'The allocation acceptOrder would write now, without writing anything (brand manager of the order\'s brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [InsufficientSupplyError, InvalidTransitionError, ...commonErrors] },
    args: { input: t.arg({ type: PreviewAllocationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => primePreview(ctx, await acceptance.previewAllocation(ctx.db, ctx.principal, planRequest(input))),
  }),
}));

builder.mutationFields((t) => ({
  acceptOrder: t.field({
    type: OrderRef,
    description:
      'Accept a REQUESTED order: allocate it among approved members and move it to ACCEPTED in one transaction (brand manager of the order\'s brand). Idempotent on idempotencyKey.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: {
      types: [
        InsufficientSupplyError, BusyError, InvalidTransitionError, IdempotencyKeyReusedError, IdempotencyInProgressError,
        ...commonErrors,
      ],
    },
    args: { input: t.arg({ type: AcceptOrderInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      acceptance.acceptOrder(ctx.db, ctx.principal, { ...planRequest(input), idempotencyKey: input.idempotencyKey }),
  }),
}));
