import type { OrderStatus } from '../../platform/db-types.js';
import { BusyError, IdempotencyInProgressError, IdempotencyKeyReusedError, InvalidTransitionError } from '../../platform/errors.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { primeLoader } from '../../platform/graphql/loaders.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { GradeLevelRef } from '../brands/brands.graphql.js';
import { BrandRef, OrderRef, ProductRef } from '../refs.js';
import { canSeeOrder } from './access.js';
import { CURRENCIES, type Currency, fromMinorUnits } from './money.js';
import * as repo from './orders.repo.js';
import type { OrderRow } from './orders.repo.js';
import * as orders from './orders.service.js';

export const OrderStatusEnum = builder.enumType('OrderStatus', {
  description: 'Where an order is in its life.',
  values: {
    REQUESTED: { description: 'Placed by the buyer; waiting for the brand manager.' },
    ACCEPTED: { description: 'Accepted: the quantity is allocated to member producers.' },
    REJECTED: { description: 'Rejected by the brand manager (final).' },
    IN_FULFILLMENT: { description: 'Being delivered and consolidated.' },
    SHIPPED: { description: 'Shipped to the buyer.' },
    COMPLETED: { description: 'Delivered and settled (final).' },
    CANCELLED: { description: 'Cancelled before shipping; any allocation was released (final).' },
  } as const satisfies Record<OrderStatus, unknown>,
});

export const IncotermEnum = builder.enumType('Incoterm', {
  description: 'Incoterms 2020 delivery term.',
  values: {
    EXW: { description: 'Ex Works.' },
    FCA: { description: 'Free Carrier.' },
    CPT: { description: 'Carriage Paid To.' },
    CIP: { description: 'Carriage and Insurance Paid To.' },
    DAP: { description: 'Delivered at Place.' },
    DPU: { description: 'Delivered at Place Unloaded.' },
    DDP: { description: 'Delivered Duty Paid.' },
    FAS: { description: 'Free Alongside Ship.' },
    FOB: { description: 'Free on Board.' },
    CFR: { description: 'Cost and Freight.' },
    CIF: { description: 'Cost, Insurance and Freight.' },
  } as const satisfies Record<orders.Incoterm, unknown>,
});

export const CurrencyEnum = builder.enumType('Currency', {
  description: 'ISO 4217 currency; amounts have its number of decimals (IDR 2, USD 2, JPY 0, …).',
  values: Object.fromEntries(CURRENCIES.map((c) => [c, { description: `${c}.` }])) as Record<Currency, { description: string }>,
});

export const MoneyRef = builder.objectRef<{ minor: number; currency: string }>('Money').implement({
  description: 'An exact amount of money.',
  fields: (t) => ({
    amount: t.field({
      type: 'Decimal',
      description: 'The amount as a decimal string with the currency\'s number of decimals, e.g. "4.50".',
      resolve: (m) => fromMinorUnits(m.minor, m.currency),
    }),
    currency: t.field({ type: CurrencyEnum, description: 'The currency.', resolve: (m) => m.currency as Currency }),
  }),
});

export const MoneyInput = builder.inputType('MoneyInput', {
  description: 'An exact amount of money.',
  fields: (t) => ({
    amount: t.field({ type: 'Decimal', description: 'Decimal amount, at most the currency\'s number of decimals, e.g. "4.50".' }),
    currency: t.field({ type: CurrencyEnum, description: 'The currency.' }),
  }),
});

// IdempotencyKeyReusedError, IdempotencyInProgressError and BusyError (GraphQL name AllocationBusyError) are registered with the other shared errors in platform/graphql/errors.ts.

const OrderEventRef = builder.objectRef<repo.OrderEventRow>('OrderEvent').implement({
  description: 'One status change of an order: who, when and why.',
  fields: (t) => ({
    from: t.field({ type: OrderStatusEnum, nullable: true, description: 'Status before; null when the order was placed.', resolve: (e) => e.from_status }),
    to: t.field({ type: OrderStatusEnum, description: 'Status after.', resolve: (e) => e.to_status }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    actor: t.exposeString('actor_display_name', { nullable: true, description: 'Display name of who did it.' }),
    reason: t.string({
      nullable: true,
      description: 'Why, as given (required for rejections and cancellations); what the system wrote (acceptance) in Indonesian or English by Accept-Language.',
      resolve: (e, _args, ctx) => (ctx.language === 'id' ? (e.reason_id ?? e.reason) : e.reason),
    }),
  }),
});

OrderRef.implement({
  description: 'A buyer\'s order for a quantity of a brand\'s product. Seen by its buyer, the brand\'s managers and admins.',
  authScopes: (order, ctx) => canSeeOrder(ctx.principal, order),
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product ordered.', resolve: (o) => String(o.product_id) }),
    brand: t.field({ type: BrandRef, description: 'The communal brand (the product\'s).', resolve: (o) => String(o.brand_id) }),
    buyerName: t.loadable({
      type: 'String',
      description: 'Name of the buyer organisation that placed the order.',
      load: async (ids: number[], ctx) => {
        const rows = await repo.buyerOrgNames(ctx.db, ids);
        return ids.map((id) => rows.find((r) => r.id === id)?.name ?? '');
      },
      resolve: (o) => o.buyer_org_id,
    }),
    minGrade: t.field({
      type: GradeLevelRef,
      description: 'The lowest acceptable grade (of the product\'s scheme when placed).',
      resolve: (o) => ({ code: o.min_grade_code, rank: o.min_grade_rank }),
    }),
    quantity: t.expose('quantity_g', { type: 'Weight', description: 'Quantity ordered.' }),
    wholeBags: t.exposeBoolean('whole_bags', { description: 'Whether the quantity and every allocation line are whole 60 kg bags.' }),
    windowStart: t.expose('window_start', { type: 'Date', description: 'First day of the wanted delivery window.' }),
    windowEnd: t.expose('window_end', { type: 'Date', description: 'Last day of the wanted delivery window.' }),
    destinationCountry: t.exposeString('destination_country', { description: 'ISO 3166-1 alpha-2 destination country.' }),
    incoterm: t.field({ type: IncotermEnum, description: 'Incoterms 2020 delivery term.', resolve: (o) => o.incoterm as orders.Incoterm }),
    price: t.field({
      type: MoneyRef,
      description: 'Price offered per kg.',
      resolve: (o) => ({ minor: o.price_minor_per_kg, currency: o.currency }),
    }),
    notes: t.exposeString('notes', { nullable: true, description: 'The buyer\'s notes.' }),
    status: t.field({ type: OrderStatusEnum, description: 'Current status.', resolve: (o) => o.status }),
    feePct: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'Brand fee percentage, snapshotted when the order was accepted; null before.',
      resolve: (o) => o.fee_pct,
    }),
    uncoveredWeight: t.expose('uncovered_g', { type: 'Weight', description: 'Weight not covered by active allocation lines after a shortfall (0 normally).' }),
    events: t.loadableList({
      type: OrderEventRef,
      description: 'Every status change, oldest first.',
      complexity: { field: 1, multiplier: 5 },
      load: async (ids: number[], ctx) => {
        const events = await repo.eventsOfOrders(ctx.db, ids);
        return ids.map((id) => events.filter((e) => e.order_id === id));
      },
      resolve: (o) => o.id,
    }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the order was placed.' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

/** Put listed orders into the Order loader, so that line and auth lookups by id do not reload them. */
export function primeOrders<T extends OrderRow>(ctx: Parameters<typeof OrderRef.getDataloader>[0], rows: readonly T[]): readonly T[] {
  return primeLoader(OrderRef.getDataloader(ctx), rows);
}

const PlaceOrderInput = builder.inputType('PlaceOrderInput', {
  description: 'A buyer\'s order.',
  fields: (t) => ({
    productId: t.id({ description: 'The product; the order goes to its brand.' }),
    minGrade: t.string({ description: 'Code of the lowest acceptable grade in the product\'s current scheme, e.g. "2".' }),
    quantity: t.field({ type: 'Weight', description: 'Quantity in kg, more than 0 and at most 1,000 t.' }),
    wholeBags: t.boolean({ required: false, description: 'Require whole 60 kg bags: the quantity must then be a multiple of 60 kg. Default false.' }),
    windowStart: t.field({ type: 'Date', description: 'First day of the wanted delivery window.' }),
    windowEnd: t.field({ type: 'Date', description: 'Last day of the wanted delivery window (on or after windowStart, not in the past).' }),
    destinationCountry: t.string({ description: 'ISO 3166-1 alpha-2 destination country, e.g. EG.' }),
    incoterm: t.field({ type: IncotermEnum, description: 'Incoterms 2020 delivery term.' }),
    price: t.field({ type: MoneyInput, description: 'Price offered per kg; at most the currency\'s decimals, more than 0.' }),
    notes: t.string({ required: false, description: 'Free-text notes (at most 2000 characters).' }),
    buyerOrganizationId: t.id({ required: false, description: 'Your buyer organisation; required only when you buy for several.' }),
    idempotencyKey: t.string({ description: 'A unique key per order (8–200 characters): retrying with the same key returns the same order.' }),
  }),
});

const RejectOrderInput = builder.inputType('RejectOrderInput', {
  description: 'An order to reject.',
  fields: (t) => ({ orderId: t.id({ description: 'The order (REQUESTED).' }), reason: t.string({ description: 'Why (required, at most 1000 characters).' }) }),
});

const CancelOrderInput = builder.inputType('CancelOrderInput', {
  description: 'An order to cancel.',
  fields: (t) => ({ orderId: t.id({ description: 'The order (not yet shipped).' }), reason: t.string({ description: 'Why (required, at most 1000 characters).' }) }),
});

const AdvanceOrderInput = builder.inputType('AdvanceOrderInput', {
  description: 'An order to move to its next status.',
  fields: (t) => ({ orderId: t.id({ description: 'The order.' }), reason: t.string({ required: false, description: 'Optional note (at most 1000 characters).' }) }),
});

const transitionErrors = [InvalidTransitionError, BusyError, ...commonErrors];

const change = (to: orders.StatusTarget) =>
  (_root: unknown, { input }: { input: { orderId: string; reason?: string | null } }, ctx: Context) =>
    orders.changeOrderStatus(ctx.db, ctx.principal, to, { orderId: decodeId(input.orderId, 'Order', 'input.orderId'), reason: input.reason ?? null });

builder.queryFields((t) => ({
  orders: t.connection({
    type: OrderRef,
    description: 'Orders you may see: a buyer their organisation\'s, a brand manager their brand\'s, an admin all; others none.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    args: {
      status: t.arg({ type: OrderStatusEnum, required: false, description: 'Only orders in this status.' }),
      productId: t.arg.id({ required: false, description: 'Only orders of this product.' }),
    },
    resolve: (_root, args, ctx) => {
      const filter = {
        status: args.status ?? null,
        productId: args.productId ? decodeId(args.productId, 'Product', 'productId') : null,
      };
      return resolveKeysetConnection(args, (page) => orders.listOrders(ctx.db, ctx.principal, filter, page).then((rows) => primeOrders(ctx, rows)));
    },
  }),
  order: t.field({
    type: OrderRef,
    nullable: true,
    description: 'One order by ID; null when unknown or not yours to see (the two look the same).',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the order.' }) },
    resolve: (_root, args) => String(decodeId(args.id, 'Order', 'id')),
  }),
}));

builder.mutationFields((t) => ({
  placeOrder: t.field({
    type: OrderRef,
    description: 'Place an order (a buyer). Idempotent: the same idempotencyKey and input return the same order.',
    authScopes: { buyer: 'any' },
    errors: { types: [IdempotencyKeyReusedError, IdempotencyInProgressError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: PlaceOrderInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      orders.placeOrder(ctx.db, ctx.principal, {
        ...input,
        productId: decodeId(input.productId, 'Product', 'input.productId'),
        buyerOrganizationId: input.buyerOrganizationId ? decodeId(input.buyerOrganizationId, 'BuyerOrganization', 'input.buyerOrganizationId') : null,
        price: { amount: input.price.amount, currency: input.price.currency },
      }),
  }),
  rejectOrder: t.field({
    type: OrderRef,
    description: 'Reject a REQUESTED order, with a reason (brand manager of the order\'s brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: transitionErrors },
    args: { input: t.arg({ type: RejectOrderInput, required: true }) },
    resolve: change('REJECTED'),
  }),
  cancelOrder: t.field({
    type: OrderRef,
    description: 'Cancel an order with a reason: its buyer while REQUESTED; the brand manager before SHIPPED (releasing every allocated kilogram).',
    authScopes: { admin: true, brandManager: 'any', buyer: 'any' },
    errors: { types: transitionErrors },
    args: { input: t.arg({ type: CancelOrderInput, required: true }) },
    resolve: change('CANCELLED'),
  }),
  startOrderFulfillment: t.field({
    type: OrderRef,
    description: 'Move an ACCEPTED order to IN_FULFILLMENT (brand manager of the order\'s brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: transitionErrors },
    args: { input: t.arg({ type: AdvanceOrderInput, required: true }) },
    resolve: change('IN_FULFILLMENT'),
  }),
  // shipOrder lives in shipments/shipments.graphql.ts: it records the shipment papers with the status change.
  completeOrder: t.field({
    type: OrderRef,
    description: 'Mark a SHIPPED order COMPLETED (brand manager of the order\'s brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: transitionErrors },
    args: { input: t.arg({ type: AdvanceOrderInput, required: true }) },
    resolve: change('COMPLETED'),
  }),
}));
