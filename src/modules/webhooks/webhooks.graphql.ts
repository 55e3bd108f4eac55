import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId, decodeTypedId, globalId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import type { Context } from '../../platform/graphql/context.js';
import { EVENT_TYPES } from '../outbox/catalogue.js';
import type { AttemptRow, DeliveryRow, EndpointRow } from './webhooks.repo.js';
import * as webhooks from './webhooks.service.js';

const policy = (ctx: Context) => ({ allowHttp: ctx.config.events.allowHttp, allowLoopback: ctx.config.events.allowLoopback });

const SecretRef = builder.objectRef<{ id: number; last4: string; created_at: Date }>('WebhookSecret').implement({
  description: 'An active signing secret of a webhook endpoint; only its last 4 characters are readable after creation.',
  fields: (t) => ({
    id: t.id({ description: 'ID of the secret, used to revoke it.', resolve: (s) => globalId('WebhookSecret', s.id) }),
    last4: t.exposeString('last4', { description: 'The last 4 characters, to recognise it.' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was issued.' }),
  }),
});

const AttemptRef = builder.objectRef<AttemptRow>('WebhookAttempt').implement({
  description: 'One HTTP attempt of a delivery.',
  fields: (t) => ({
    attempt: t.exposeInt('attempt_no', { description: 'Attempt number, from 1.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it finished.' }),
    statusCode: t.exposeInt('status_code', { nullable: true, description: 'HTTP status answered; null when no answer (timeout, refused, SSRF guard).' }),
    error: t.exposeString('error', { nullable: true, description: 'Why there was no answer.' }),
    latencyMs: t.exposeInt('latency_ms', { description: 'Milliseconds from sending to the answer (or the failure).' }),
    responseExcerpt: t.exposeString('response_excerpt', { nullable: true, description: 'The first 1,000 characters of the response body.' }),
  }),
});

type DeliveryView = DeliveryRow & { public_id?: string; type?: string };
const DeliveryRef = builder.objectRef<DeliveryView>('WebhookDelivery').implement({
  description: 'One message of one event to one endpoint, with its attempts.',
  fields: (t) => ({
    id: t.id({ description: 'ID of the delivery.', resolve: (d) => globalId('WebhookDelivery', d.id) }),
    webhookId: t.string({ nullable: true, description: 'The webhook-id header: the event\'s id (evt_…), stable across retries and replays.', resolve: (d) => d.public_id ?? null }),
    eventType: t.string({ nullable: true, description: 'The event type.', resolve: (d) => d.type ?? null }),
    kind: t.exposeString('kind', { description: 'EVENT, REPLAY or PING.' }),
    status: t.exposeString('status', { description: 'PENDING, DELIVERED, FAILED or CANCELLED.' }),
    attemptCount: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    nextAttemptAt: t.field({ type: 'DateTime', nullable: true, description: 'When the next attempt is due (PENDING only).', resolve: (d) => (d.status === 'PENDING' ? d.next_attempt_at : null) }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was created.' }),
    finishedAt: t.expose('finished_at', { type: 'DateTime', nullable: true, description: 'When it was delivered, given up or cancelled.' }),
    attempts: t.field({
      type: [AttemptRef],
      description: 'The attempts, oldest first.',
      complexity: 3,
      resolve: (d, _args, ctx) => webhooks.attemptsOf(ctx.db, [d.id]),
    }),
  }),
});

const EndpointRef = builder.objectRef<EndpointRow>('WebhookEndpoint').implement({
  description: 'A webhook endpoint of an organisation: where its events are POSTed, signed (Standard Webhooks).',
  authScopes: (e, ctx) => webhooks.canSeeEndpoint(ctx.principal, e),
  fields: (t) => ({
    id: t.id({ description: 'ID of the endpoint.', resolve: (e) => globalId('WebhookEndpoint', e.id) }),
    url: t.exposeString('url', { description: 'The HTTPS URL events are POSTed to.' }),
    eventTypes: t.stringList({ description: 'Event types it receives (see the README catalogue).', resolve: (e) => e.event_types }),
    description: t.exposeString('description', { nullable: true, description: 'A note of its owner.' }),
    organizationId: t.id({
      nullable: true, description: 'Brand, Cooperative or BuyerOrganization it belongs to; null for a platform endpoint.',
      resolve: (e) => (e.owner_kind === 'platform' ? null : globalId(webhooks.TYPENAME_OF_KIND[e.owner_kind], e.owner_id!)),
    }),
    disabledAt: t.expose('disabled_at', { type: 'DateTime', nullable: true, description: 'When it was disabled; null while enabled.' }),
    disabledReason: t.exposeString('disabled_reason', { nullable: true, description: 'Why it was disabled (410 Gone, failing for 5 days, by its owner).' }),
    failingSince: t.expose('failing_since', { type: 'DateTime', nullable: true, description: 'Since when every attempt failed; null after a success.' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was registered.' }),
    secrets: t.field({ type: [SecretRef], description: 'Active signing secrets (two during a rotation).', resolve: (e, _a, ctx) => webhooks.secretsOf(ctx.db, e.id) }),
    deliveries: t.field({
      type: [DeliveryRef],
      description: 'The delivery log, newest first.',
      args: { first: t.arg.int({ required: false, description: 'How many (1–100, default 20).' }) },
      complexity: (args) => ({ field: 1, multiplier: Math.min(Math.max(args.first ?? 20, 1), 100) }),
      resolve: (e, args, ctx) => webhooks.deliveriesOf(ctx.db, e.id, { before: null, limit: Math.min(Math.max(args.first ?? 20, 1), 100) }),
    }),
  }),
});

const IssuedRef = builder.objectRef<{ endpoint: EndpointRow; secret: string }>('IssuedWebhookSecret').implement({
  description: 'A webhook endpoint and a newly issued signing secret, shown only in this answer: store it now.',
  fields: (t) => ({
    endpoint: t.field({ type: EndpointRef, description: 'The endpoint.', resolve: (r) => r.endpoint }),
    secret: t.exposeString('secret', { description: 'The signing secret (whsec_…). Shown once.' }),
  }),
});

const RegisterInput = builder.inputType('RegisterWebhookEndpointInput', {
  description: 'A new webhook endpoint.',
  fields: (t) => ({
    organizationId: t.id({ required: false, description: 'Brand, Cooperative or BuyerOrganization it is for; empty for a platform endpoint (platform admin only).' }),
    url: t.string({ description: 'HTTPS URL; its host must resolve to public addresses.' }),
    eventTypes: t.stringList({ description: `Event types to receive, each one of: ${EVENT_TYPES.join(', ')}.` }),
    description: t.string({ required: false, description: 'A note (at most 500 characters).' }),
  }),
});
const UpdateInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'Change an endpoint\'s URL or event types.',
  fields: (t) => ({
    endpointId: t.id({ description: 'WebhookEndpoint.id.' }),
    url: t.string({ required: false, description: 'A new HTTPS URL.' }),
    eventTypes: t.stringList({ required: false, description: 'The new list of event types.' }),
  }),
});
const EndpointInput = builder.inputType('WebhookEndpointInput', {
  description: 'A webhook endpoint.',
  fields: (t) => ({ endpointId: t.id({ description: 'WebhookEndpoint.id.' }) }),
});
const RevokeInput = builder.inputType('RevokeWebhookSecretInput', {
  description: 'A signing secret to revoke (not the last one).',
  fields: (t) => ({ endpointId: t.id({ description: 'WebhookEndpoint.id.' }), secretId: t.id({ description: 'WebhookSecret.id.' }) }),
});
const DisableInput = builder.inputType('SetWebhookEndpointDisabledInput', {
  description: 'Disable or re-enable an endpoint.',
  fields: (t) => ({ endpointId: t.id({ description: 'WebhookEndpoint.id.' }), disabled: t.boolean({ description: 'True disables it (pending deliveries are cancelled).' }) }),
});
const ReplayInput = builder.inputType('ReplayEventInput', {
  description: 'An event to send to an endpoint again.',
  fields: (t) => ({
    endpointId: t.id({ description: 'WebhookEndpoint.id.' }),
    eventId: t.string({ description: 'The event\'s id (the webhook-id header, evt_…).' }),
  }),
});

const endpointId = (value: string) => decodeId(value, 'WebhookEndpoint', 'input.endpointId');

builder.queryFields((t) => ({
  webhookEndpoints: t.connection({
    type: EndpointRef,
    description: 'Webhook endpoints of the organisations you administer (all, for a platform admin).',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => resolveKeysetConnection(args, (page) => webhooks.listEndpoints(ctx.db, ctx.principal, page)),
  }),
}));

builder.mutationFields((t) => ({
  registerWebhookEndpoint: t.field({
    type: IssuedRef,
    description: 'Register a webhook endpoint for an organisation you administer; its signing secret is shown once.',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RegisterInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      webhooks.registerEndpoint(ctx.db, policy(ctx), ctx.principal, {
        organization: input.organizationId ? decodeTypedId(input.organizationId, ['Brand', 'Cooperative', 'BuyerOrganization'], 'input.organizationId') : null,
        url: input.url, eventTypes: input.eventTypes, description: input.description ?? null,
      }),
  }),
  updateWebhookEndpoint: t.field({
    type: EndpointRef,
    description: 'Change a webhook endpoint\'s URL or event types.',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      if (input.url == null && input.eventTypes == null) throw ValidationError.field('input', { en: 'nothing to change: give url or eventTypes', id: 'tidak ada yang diubah: isi url atau eventTypes' });
      return webhooks.updateEndpoint(ctx.db, policy(ctx), ctx.principal, endpointId(input.endpointId), { url: input.url, eventTypes: input.eventTypes });
    },
  }),
  rotateWebhookSecret: t.field({
    type: IssuedRef,
    description: 'Issue a second signing secret (both sign until the old one is revoked); shown once.',
    authScopes: { authenticated: true },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: EndpointInput, required: true }) },
    resolve: (_root, { input }, ctx) => webhooks.rotateSecret(ctx.db, ctx.principal, endpointId(input.endpointId)),
  }),
  revokeWebhookSecret: t.field({
    type: EndpointRef,
    description: 'Revoke a signing secret (the endpoint keeps at least one).',
    authScopes: { authenticated: true },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: RevokeInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      webhooks.revokeSecret(ctx.db, ctx.principal, endpointId(input.endpointId), decodeId(input.secretId, 'WebhookSecret', 'input.secretId')),
  }),
  setWebhookEndpointDisabled: t.field({
    type: EndpointRef,
    description: 'Disable or re-enable a webhook endpoint (re-enabling clears the failure record).',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: DisableInput, required: true }) },
    resolve: (_root, { input }, ctx) => webhooks.setDisabled(ctx.db, ctx.principal, endpointId(input.endpointId), input.disabled),
  }),
  replayEvent: t.field({
    type: DeliveryRef,
    description: 'Send an event to an endpoint again, with the same webhook-id.',
    authScopes: { authenticated: true },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: ReplayInput, required: true }) },
    resolve: (_root, { input }, ctx) => webhooks.replayEvent(ctx.db, ctx.principal, endpointId(input.endpointId), input.eventId),
  }),
  sendTestWebhook: t.field({
    type: DeliveryRef,
    description: 'Send a webhook.ping to an endpoint, to test it.',
    authScopes: { authenticated: true },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: EndpointInput, required: true }) },
    resolve: (_root, { input }, ctx) => webhooks.sendTestPing(ctx.db, ctx.principal, endpointId(input.endpointId)),
  }),
}));
