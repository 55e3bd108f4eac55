import { BusyError, ConflictError } from '../../platform/errors.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { ProducerRef } from '../refs.js';
import * as consent from './consent.service.js';
import type { ConsentEventRow } from './consent.repo.js';

export const ConsentPurposeEnum = builder.enumType('ConsentPurpose', {
  description: 'What a producer consents to (UU 27/2022): each purpose is given and withdrawn separately.',
  values: {
    NAME_TO_BUYERS: { description: 'Show the producer\'s name to the buyers of orders they supply (the order trace).' },
    NAME_IN_EXPORT_DOCUMENTS: { description: 'Put the producer\'s name into export documents (the EUDR package, EPCIS events).' },
  } as const,
});

const ConsentActionEnum = builder.enumType('ConsentAction', {
  description: 'A change of consent.',
  values: { GIVEN: { description: 'Consent was given.' }, WITHDRAWN: { description: 'Consent was withdrawn.' } } as const,
});

const ConsentGivenByEnum = builder.enumType('ConsentGivenBy', {
  description: 'Who recorded a consent change.',
  values: {
    PRODUCER: { description: 'The producer themself.' },
    COOPERATIVE_MANAGER: { description: 'The producer\'s cooperative manager, with evidence.' },
    ADMIN: { description: 'A platform admin, with evidence.' },
  } as const,
});

const ConsentEventRef = builder.objectRef<ConsentEventRow | import('../../platform/db-types.js').Row<'consent_events'>>('ConsentEvent').implement({
  description: 'One change of a producer\'s consent: who, when, for what, with which evidence.',
  fields: (t) => ({
    purpose: t.field({ type: ConsentPurposeEnum, description: 'What the consent is for.', resolve: (e) => e.purpose }),
    action: t.field({ type: ConsentActionEnum, description: 'Given or withdrawn.', resolve: (e) => e.action }),
    givenBy: t.field({ type: ConsentGivenByEnum, description: 'Who recorded it.', resolve: (e) => e.given_by }),
    actor: t.string({
      nullable: true,
      description: 'Display name of the user who recorded it.',
      resolve: (e) => ('actor_display_name' in e ? e.actor_display_name : null),
    }),
    evidence: t.exposeString('evidence', { nullable: true, description: 'The evidence given (required unless the producer recorded it).' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it was recorded.' }),
  }),
});

const ConsentStateRef = builder.objectRef<consent.ConsentState>('ConsentState').implement({
  description: 'The current consent of a producer for one purpose.',
  fields: (t) => ({
    purpose: t.field({ type: ConsentPurposeEnum, description: 'What the consent is for.', resolve: (s) => s.purpose }),
    given: t.exposeBoolean('given', { description: 'Whether consent is currently given.' }),
    since: t.expose('since', { type: 'DateTime', nullable: true, description: 'When the current state was recorded; null if never.' }),
  }),
});

const ProducerConsentRef = builder.objectRef<Awaited<ReturnType<typeof consent.consentOf>>>('ProducerConsent').implement({
  description: 'A producer\'s consent to disclose their name, per purpose, with its history.',
  fields: (t) => ({
    states: t.field({ type: [ConsentStateRef], description: 'The current state per purpose.', resolve: (c) => c.states }),
    events: t.field({ type: [ConsentEventRef], description: 'Every change, oldest first.', resolve: (c) => c.events }),
  }),
});

builder.objectFields(ProducerRef, (t) => ({
  consent: t.field({
    type: ProducerConsentRef,
    description: 'Consent to disclose the producer\'s name (who may see the producer may see this).',
    resolve: (p, _args, ctx) => consent.consentOf(ctx.db, ctx.principal, p.id),
  }),
}));

const ConsentChangeInput = builder.inputType('ConsentChangeInput', {
  description: 'A producer\'s consent decision.',
  fields: (t) => ({
    producerId: t.id({ description: 'The producer (yourself, or a member of your cooperative).' }),
    purpose: t.field({ type: ConsentPurposeEnum, description: 'What the consent is for.' }),
    evidence: t.string({
      required: false,
      description: 'What shows the producer\'s decision (required when a cooperative manager or admin records it; at most 2000 characters).',
    }),
  }),
});

const change = (action: 'GIVEN' | 'WITHDRAWN') =>
  (_root: unknown, { input }: { input: { producerId: string; purpose: 'NAME_TO_BUYERS' | 'NAME_IN_EXPORT_DOCUMENTS'; evidence?: string | null } }, ctx: Context) =>
    consent.changeConsent(ctx.db, ctx.principal, action, {
      producerId: decodeId(input.producerId, 'Producer', 'input.producerId'),
      purpose: input.purpose,
      evidence: input.evidence ?? null,
    });

builder.mutationFields((t) => ({
  giveConsent: t.field({
    type: ConsentEventRef,
    description: 'Record a producer\'s consent to disclose their name for a purpose (the producer, or their cooperative manager with evidence).',
    authScopes: { admin: true, producer: 'any', coopManager: 'any' },
    errors: { types: [BusyError, ...commonErrors] },
    args: { input: t.arg({ type: ConsentChangeInput, required: true }) },
    resolve: change('GIVEN'),
  }),
  withdrawConsent: t.field({
    type: ConsentEventRef,
    description: 'Withdraw a producer\'s consent for a purpose; documents built from now on carry "Contributor n" instead of the name.',
    authScopes: { admin: true, producer: 'any', coopManager: 'any' },
    errors: { types: [ConflictError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: ConsentChangeInput, required: true }) },
    resolve: change('WITHDRAWN'),
  }),
}));
