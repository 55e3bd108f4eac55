import { createHash } from 'node:crypto';
import { GraphQLError, parse } from 'graphql';
import type { Principal } from '../../platform/auth.js';
import { type Issue, issueAt, ValidationError } from '../../platform/errors.js';
import { nId } from '../../platform/issue-messages.js';

/**
 * Trusted documents: a client's administrators can lock it to an allow-list of GraphQL documents
 * (the ones the partner app ships), so a leaked token cannot run arbitrary queries. The documents
 * are also stored as persisted queries, so the app may send only their sha256 (APQ protocol).
 */

export const MAX_TRUSTED_DOCUMENTS = 200;
export const MAX_DOCUMENT_LENGTH = 100_000;

export const documentHash = (source: string): string => createHash('sha256').update(source, 'utf8').digest('hex');

/** Each document must parse; returns their hashes in input order (duplicates removed). */
export function checkDocuments(documents: readonly string[], maxTokens: number): Array<{ hash: string; source: string }> {
  const issues: Issue[] = [];
  if (documents.length > MAX_TRUSTED_DOCUMENTS) {
    issues.push(issueAt('input.documents', { en: `must list at most ${MAX_TRUSTED_DOCUMENTS} documents`, id: `paling banyak ${MAX_TRUSTED_DOCUMENTS} dokumen` }));
  }
  documents.forEach((source, i) => {
    if (source.length === 0 || source.length > MAX_DOCUMENT_LENGTH) {
      issues.push(issueAt(`input.documents.${i}`, {
        en: `must be 1–${MAX_DOCUMENT_LENGTH} characters`,
        id: `harus 1–${nId(MAX_DOCUMENT_LENGTH)} karakter`,
      }));
      return;
    }
    try {
      parse(source, { maxTokens });
    } catch (error) {
      const detail = (error as Error).message;
      issues.push(issueAt(`input.documents.${i}`, { en: `is not a GraphQL document: ${detail}`, id: `bukan dokumen GraphQL. Rincian: ${detail}` }));
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
  const seen = new Map<string, string>();
  for (const source of documents) seen.set(documentHash(source), source);
  return [...seen].map(([hash, source]) => ({ hash, source }));
}

export class UntrustedDocumentError extends GraphQLError {
  constructor() {
    super('This client may only run its trusted documents', { extensions: { code: 'UNTRUSTED_DOCUMENT' } });
  }
}

/** Before execution: a locked client's request must be one of its trusted documents (by exact text). */
export function enforceTrustedDocuments(principal: Principal | null, source: string | undefined): void {
  const trusted = principal?.client?.trustedDocuments;
  if (!trusted) return;
  if (source === undefined || !trusted.has(documentHash(source))) throw new UntrustedDocumentError();
}
