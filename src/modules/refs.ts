import type { Context } from '../platform/graphql/context.js';
import { builder } from '../platform/graphql/builder.js';
import { sql } from 'kysely';
import type { Row } from '../platform/db-types.js';

/**
 * Node refs shared across modules, declared once here so that any module can point at them.
 * Each module implements its own type's fields (`Ref.implement` is called exactly once, by the
 * owning module) and adds fields to other types with `builder.objectFields(Ref, …)`.
 *
 * Loaders batch by id: a page of N rows that each point at a Producer costs one query.
 */

const byIds = <T extends keyof import('../platform/db-types.js').DB>(table: T) =>
  (ids: string[], ctx: Context) =>
    ctx.db.selectFrom(table as 'brands').selectAll().where('id', 'in', ids.map(Number)).execute() as unknown as Promise<Row<T>[]>;

export const BrandRef = builder.loadableNodeRef('Brand', { id: { resolve: (r: Row<'brands'>) => r.id }, load: byIds('brands'), sort: (r) => String(r.id) });
export const ProductRef = builder.loadableNodeRef('Product', { id: { resolve: (r: Row<'products'>) => r.id }, load: byIds('products'), sort: (r) => String(r.id) });
export const GradeSchemeRef = builder.loadableNodeRef('GradeScheme', { id: { resolve: (r: Row<'grade_schemes'>) => r.id }, load: byIds('grade_schemes'), sort: (r) => String(r.id) });
export const CooperativeRef = builder.loadableNodeRef('Cooperative', { id: { resolve: (r: Row<'cooperatives'>) => r.id }, load: byIds('cooperatives'), sort: (r) => String(r.id) });
/**
 * A producer as resolved in GraphQL: its row, and when it came through this loader also the brands
 * it holds a membership in (any status), on which who may see it depends (producers/access.ts), so
 * resolving producers and checking access to them cost one statement. (List queries return plain rows.)
 */
export type ProducerNode = Row<'producers'> & { membership_brand_ids?: number[] };
const producersByIds = (ids: string[], ctx: Context) =>
  ctx.db
    .selectFrom('producers')
    .selectAll('producers')
    .select(sql<number[]>`coalesce((select json_agg(m.brand_id) from memberships m where m.producer_id = producers.id), '[]'::json)`.as('membership_brand_ids'))
    .where('id', 'in', ids.map(Number))
    .execute() as Promise<ProducerNode[]>;
export const ProducerRef = builder.loadableNodeRef('Producer', { id: { resolve: (r: ProducerNode) => r.id }, load: producersByIds, sort: (r) => String(r.id) });
export const MembershipRef = builder.loadableNodeRef('Membership', { id: { resolve: (r: Row<'memberships'>) => r.id }, load: byIds('memberships'), sort: (r) => String(r.id) });
export const PlotRef = builder.loadableNodeRef('Plot', { id: { resolve: (r: Row<'plots'>) => r.id }, load: byIds('plots'), sort: (r) => String(r.id) });
export const LotRef = builder.loadableNodeRef('Lot', { id: { resolve: (r: Row<'lots'>) => r.id }, load: byIds('lots'), sort: (r) => String(r.id) });
export const AssessmentRef = builder.loadableNodeRef('Assessment', { id: { resolve: (r: Row<'assessments'>) => r.id }, load: byIds('assessments'), sort: (r) => String(r.id) });
export const CommitmentRef = builder.loadableNodeRef('Commitment', { id: { resolve: (r: Row<'commitments'>) => r.id }, load: byIds('commitments'), sort: (r) => String(r.id) });
export const OrderRef = builder.loadableNodeRef('Order', { id: { resolve: (r: Row<'orders'>) => r.id }, load: byIds('orders'), sort: (r) => String(r.id) });
export const AllocationLineRef = builder.loadableNodeRef('AllocationLine', { id: { resolve: (r: Row<'allocation_lines'>) => r.id }, load: byIds('allocation_lines'), sort: (r) => String(r.id) });
