import { orgIdsWithRole, type Principal } from '../../platform/auth.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { canQueryAvailability } from '../availability/availability.service.js';
import * as availabilityRepo from '../availability/availability.repo.js';
import { currentScheme } from '../brands/brands.service.js';
import * as lotsRepo from '../lots/lots.repo.js';
import { canSeeOrder } from '../orders/access.js';
import * as ordersRepo from '../orders/orders.repo.js';
import { ROOT_FIELD_SCOPES } from '../partners/scopes.js';
import { LotRef, OrderRef, ProductRef } from '../refs.js';
import type { TopicMessage } from './topics.js';

/**
 * Subscriptions (graphql-transport-ws over /graphql): the same authorisation as the queries, checked
 * when subscribing; a machine client needs the scope of the matching query. Authentication is the
 * connection_init payload ({ authorization: "Bearer …" }, platform/http/graphql.ts); the socket is
 * closed with 4403 when the token expires.
 */

interface SubscriptionContext extends Context {
  pubsub: { subscribe(topic: string | string[]): Promise<AsyncIterable<TopicMessage>> };
  /** Set by platform/http/graphql.ts: topic prefix, and closing the socket when the token expires. */
  subscription?: { prefix: string; armExpiry(expiresAt: number | undefined): void };
  tokenExpiresAt?: number;
}

function caller(ctx: Context, field: keyof typeof ROOT_FIELD_SCOPES.subscription): Principal {
  const scope = ROOT_FIELD_SCOPES.subscription[field];
  const p = ctx.principal;
  if (!p) throw new UnauthenticatedError();
  // Default deny for machine clients: the scope table (partners/scopes.ts) names the scope of each subscription.
  if (p.client && (!scope || !p.client.scopes.includes(scope))) throw new ForbiddenError(`This client token lacks the scope ${scope ?? 'for this subscription'}`);
  const c = ctx as SubscriptionContext;
  c.subscription?.armExpiry(c.tokenExpiresAt);
  return p;
}

const subscribe = (ctx: Context, topics: string[]) => {
  const c = ctx as SubscriptionContext;
  const prefix = c.subscription?.prefix ?? '';
  return c.pubsub.subscribe(topics.map((t) => `${prefix}${t}`));
};

const kgToG = (kg: unknown) => Math.round(Number(kg) * 1000);

interface AvailabilityUpdate { productId: number; minGrade: string; spotG: number; forwardG: number; at: string }
const AvailabilityUpdateRef = builder.objectRef<AvailabilityUpdate>('AvailabilityUpdate').implement({
  description: 'New availability totals of a product at a minimum grade (every delivery window), after a change.',
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product.', resolve: (u) => String(u.productId) }),
    minGrade: t.exposeString('minGrade', { description: 'The grade asked for (this grade or better counts).' }),
    spotWeight: t.field({ type: 'Weight', description: 'Unallocated weight of graded lots at this grade or better.', resolve: (u) => u.spotG }),
    forwardWeight: t.field({ type: 'Weight', description: 'Open committed weight promised at this grade or better.', resolve: (u) => u.forwardG }),
    totalWeight: t.field({ type: 'Weight', description: 'Spot plus forward.', resolve: (u) => u.spotG + u.forwardG }),
    at: t.exposeString('at', { description: 'When the change was committed (ISO 8601).' }),
  }),
});

interface LotChange { type: string; lotId: number }
const LotChangeRef = builder.objectRef<LotChange>('LotChange').implement({
  description: 'A lot of yours was declared or graded.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'lot.declared or lot.graded.' }),
    lot: t.field({ type: LotRef, description: 'The lot as it is now.', resolve: (c) => String(c.lotId) }),
  }),
});

builder.subscriptionFields((t) => ({
  orderUpdated: t.field({
    type: OrderRef,
    description: 'The order after each change (status, allocation, settlement). Whoever can read the order (orders:read for clients).',
    args: { orderId: t.arg.id({ required: true, description: 'Order.id.' }) },
    subscribe: async (_root, args, ctx) => {
      const principal = caller(ctx, 'orderUpdated');
      const id = decodeId(String(args.orderId), 'Order', 'orderId');
      const order = await ordersRepo.findOrder(ctx.db, id);
      if (!order || !canSeeOrder(principal, order)) throw new NotFoundError('Order', 'orderId');
      return subscribe(ctx, [`order:${id}`]);
    },
    resolve: async (message: TopicMessage, _args, ctx) => {
      const order = await ordersRepo.findOrder(ctx.db, message.subjectId);
      if (!order) throw new NotFoundError('Order', 'orderId');
      return order;
    },
  }),
  availabilityChanged: t.field({
    type: AvailabilityUpdateRef,
    description: 'New totals of a product at a minimum grade when its supply changes (coalesced per product). Whoever can ask availability.',
    args: {
      productId: t.arg.id({ required: true, description: 'Product.id.' }),
      minGrade: t.arg.string({ required: true, description: 'A grade code of the product\'s scheme.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const principal = caller(ctx, 'availabilityChanged');
      const id = decodeId(String(args.productId), 'Product', 'productId');
      const product = await availabilityRepo.findProduct(ctx.db, id);
      if (!product || !canQueryAvailability(principal, product.brand_id)) throw new NotFoundError('Product', 'productId');
      const grades = (await currentScheme(ctx.db, id))?.grades ?? [];
      if (!grades.some((g) => g.code === args.minGrade)) throw new NotFoundError('Grade', 'minGrade', `Unknown grade; the product's grades are ${grades.map((g) => g.code).join(', ')}`);
      return subscribe(ctx, [`availability:${id}`]);
    },
    resolve: async (message: TopicMessage, args, ctx) => {
      const grades = (await currentScheme(ctx.db, message.subjectId))?.grades ?? [];
      const rank = grades.find((g) => g.code === args.minGrade)?.rank ?? 0;
      const byGrade = (message.data.byGrade as Array<{ rank: number; spotKg: string; forwardKg: string }> | undefined) ?? [];
      const within = byGrade.filter((g) => g.rank <= rank);
      return {
        productId: message.subjectId, minGrade: args.minGrade,
        spotG: within.reduce((s, g) => s + kgToG(g.spotKg), 0), forwardG: within.reduce((s, g) => s + kgToG(g.forwardKg), 0),
        at: new Date().toISOString(),
      };
    },
  }),
  myLotsChanged: t.field({
    type: LotChangeRef,
    description: 'Your lots (a producer\'s own; a cooperative manager\'s members\') when declared or graded (lots:read for clients).',
    subscribe: async (_root, _args, ctx) => {
      const principal = caller(ctx, 'myLotsChanged');
      const topics = [
        ...orgIdsWithRole(principal, 'PRODUCER').map((id) => `lots:producer:${id}`),
        ...orgIdsWithRole(principal, 'COOP_MANAGER').map((id) => `lots:coop:${id}`),
      ];
      if (topics.length === 0) throw new ForbiddenError('Only producers and cooperative managers follow their lots');
      return subscribe(ctx, topics);
    },
    resolve: async (message: TopicMessage, _args, ctx) => {
      const lot = await lotsRepo.findLot(ctx.db, message.subjectId);
      if (!lot) throw new NotFoundError('Lot');
      return { type: message.type, lotId: lot.id };
    },
  }),
}));
