import { builder } from '../../platform/graphql/builder.js';
import { decimal, kg } from '../../platform/format.js';
import type { Language } from '../../platform/language.js';
import { CommitmentRef, LotRef } from '../refs.js';
import * as repo from './provenance.repo.js';

const weight = (g: unknown, lang: Language) => (typeof g === 'number' && Number.isSafeInteger(g) ? kg(g, lang) : '? kg');
const count = (xs: unknown) => (Array.isArray(xs) ? String(xs.length) : '?');
const num = (v: unknown, lang: Language) => (typeof v === 'number' || typeof v === 'string' ? decimal(v, lang) : String(v));

type Payload = Record<string, any>;

/** The kinds with a sentence; any other kind is summarised by its name. */
type SummarisedKind = 'DECLARED' | 'ASSESSED' | 'COMMITTED' | 'COMMITMENT_AMENDED' | 'COMMITMENT_WITHDRAWN';

/** The summaries by language and event kind (dates stay ISO); a missing one fails the type check. */
const SUMMARY_TEXT: Readonly<Record<Language, Readonly<Record<SummarisedKind, (p: Payload) => string>>>> = {
  en: {
    DECLARED: (p) => `Declared ${weight(p.netG, 'en')} from ${count(p.plotIds)} plot(s), harvested ${p.harvestStart} to ${p.harvestEnd}`,
    ASSESSED: (p) =>
      p.offGrade
        ? `Assessed off-grade (defect value ${num(p.defectValue, 'en')}, scheme v${p.schemeVersion})`
        : `Assessed grade ${p.grade?.code} (defect value ${num(p.defectValue, 'en')}, scheme v${p.schemeVersion})`,
    COMMITTED: (p) => `Committed ${weight(p.committedG, 'en')} at grade ${p.minGrade?.code} or better for ${p.windowStart} to ${p.windowEnd}`,
    COMMITMENT_AMENDED: (p) => `Amended to ${weight(p.after?.committedG, 'en')} for ${p.after?.windowStart} to ${p.after?.windowEnd}`,
    COMMITMENT_WITHDRAWN: (p) => `Withdrawn: ${p.reason}`,
  },
  id: {
    DECLARED: (p) => `Dideklarasikan ${weight(p.netG, 'id')} dari ${count(p.plotIds)} lahan, dipanen ${p.harvestStart} s.d. ${p.harvestEnd}`,
    ASSESSED: (p) =>
      p.offGrade
        ? `Dinilai di luar mutu (nilai cacat ${num(p.defectValue, 'id')}, skema v${p.schemeVersion})`
        : `Dinilai mutu ${p.grade?.code} (nilai cacat ${num(p.defectValue, 'id')}, skema v${p.schemeVersion})`,
    COMMITTED: (p) => `Komitmen ${weight(p.committedG, 'id')} mutu ${p.minGrade?.code} atau lebih baik untuk ${p.windowStart} s.d. ${p.windowEnd}`,
    COMMITMENT_AMENDED: (p) => `Diubah menjadi ${weight(p.after?.committedG, 'id')} untuk ${p.after?.windowStart} s.d. ${p.after?.windowEnd}`,
    COMMITMENT_WITHDRAWN: (p) => `Ditarik: ${p.reason}`,
  },
};

/** A one-line human summary of an event in the language (the payload keeps the details). */
export function summarise(e: Pick<repo.ProvenanceEventRow, 'kind' | 'payload'>, lang: Language = 'en'): string {
  const catalogue = SUMMARY_TEXT[lang];
  return Object.hasOwn(catalogue, e.kind) ? catalogue[e.kind as SummarisedKind](e.payload as Payload) : e.kind;
}

export const ProvenanceEventRef = builder.objectRef<repo.ProvenanceEventRow>('ProvenanceEvent').implement({
  description: 'One entry of the append-only provenance log.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'What happened: DECLARED, ASSESSED, COMMITTED, ALLOCATED, FULFILLED, SHIPPED, …' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    actor: t.exposeString('actor_display_name', { nullable: true, description: 'Display name of who did it; null for the system.' }),
    summary: t.string({ description: 'One-line human summary, in Indonesian or English by Accept-Language.', resolve: (e, _args, ctx) => summarise(e, ctx.language) }),
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
