import { builder } from '../../platform/graphql/builder.js';
import { gramsToKg } from '../../platform/weight.js';
import { CommitmentRef, LotRef } from '../refs.js';
import * as repo from './provenance.repo.js';

const kg = (g: unknown) => (typeof g === 'number' && Number.isSafeInteger(g) ? `${gramsToKg(g)} kg` : '? kg');

/** A one-line human summary of an event (the payload keeps the details). */
export function summarise(e: Pick<repo.ProvenanceEventRow, 'kind' | 'payload'>): string {
  const p = e.payload as Record<string, any>;
  switch (e.kind) {
    case 'DECLARED':
      return `Declared ${kg(p.netG)} from ${Array.isArray(p.plotIds) ? p.plotIds.length : '?'} plot(s), harvested ${p.harvestStart} to ${p.harvestEnd}`;
    case 'ASSESSED':
      return p.offGrade
        ? `Assessed off-grade (defect value ${p.defectValue}, scheme v${p.schemeVersion})`
        : `Assessed grade ${p.grade?.code} (defect value ${p.defectValue}, scheme v${p.schemeVersion})`;
    case 'COMMITTED':
      return `Committed ${kg(p.committedG)} at grade ${p.minGrade?.code} or better for ${p.windowStart} to ${p.windowEnd}`;
    case 'COMMITMENT_AMENDED':
      return `Amended to ${kg(p.after?.committedG)} for ${p.after?.windowStart} to ${p.after?.windowEnd}`;
    case 'COMMITMENT_WITHDRAWN':
      return `Withdrawn: ${p.reason}`;
    default:
      return e.kind;
  }
}

export const ProvenanceEventRef = builder.objectRef<repo.ProvenanceEventRow>('ProvenanceEvent').implement({
  description: 'One entry of the append-only provenance log.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'What happened: DECLARED, ASSESSED, COMMITTED, ALLOCATED, FULFILLED, SHIPPED, …' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    actor: t.exposeString('actor_display_name', { nullable: true, description: 'Display name of who did it; null for the system.' }),
    summary: t.string({ description: 'One-line human summary.', resolve: summarise }),
    payload: t.string({
      description: 'The recorded details as JSON text (weights in grams, ids are internal row ids).',
      resolve: (e) => JSON.stringify(e.payload),
    }),
  }),
});

builder.objectFields(LotRef, (t) => ({
  history: t.loadableList({
    type: ProvenanceEventRef,
    description: 'The lot\'s provenance events, oldest first.',
    complexity: { field: 1, multiplier: 5 },
    load: async (lotIds: number[], ctx) => {
      const events = await repo.eventsOf(ctx.db, 'lot_id', lotIds);
      return lotIds.map((id) => events.filter((e) => e.lot_id === id));
    },
    resolve: (l) => l.id,
  }),
}));

builder.objectFields(CommitmentRef, (t) => ({
  history: t.loadableList({
    type: ProvenanceEventRef,
    description: 'The commitment\'s provenance events, oldest first.',
    complexity: { field: 1, multiplier: 5 },
    load: async (ids: number[], ctx) => {
      const events = await repo.eventsOf(ctx.db, 'commitment_id', ids);
      return ids.map((id) => events.filter((e) => e.commitment_id === id));
    },
    resolve: (c) => c.id,
  }),
}));
