import { createHash } from 'node:crypto';
import { type Issue, issueAt } from '../../platform/errors.js';
import type { IssueText } from '../../platform/issue-messages.js';

/**
 * EPCIS identifiers of a brand (pure, no I/O).
 *
 * A lot is class-level: one epcClass per lot, quantities in KGM.
 * - With a GS1 company prefix and a GTIN for the lot's product, the lot is an LGTIN
 *   (`urn:epc:class:lgtin:<companyPrefix>.<indicator+itemReference>.<lot>`, EPC Tag Data Standard) or,
 *   when the brand chose the Digital Link syntax, `https://id.gs1.org/01/<gtin14>/10/<lot>`.
 * - Otherwise the lot is a URI under the brand's own domain: `https://<domain>/epcis/lots/<lotId>`.
 *   A brand without a domain setting gets the platform's per-brand namespace (DEFAULT_BASE_URI).
 * Containers are BIC (ISO 6346) EPCs, `urn:epc:id:bic:<number>`, which need no company prefix.
 * Parties, plots, ports, orders and bills of lading have no GS1 key here, so they are URIs under the
 * brand's base URI.
 */

export type IdentifierSyntax = 'URN' | 'DIGITAL_LINK';

export interface BrandIdentity {
  brandId: number;
  brandName: string;
  /** The brand's own domain (host name), or null for the platform's default namespace. */
  domain: string | null;
  /** 6–12 digits, or null. */
  gs1CompanyPrefix: string | null;
  syntax: IdentifierSyntax;
  /** GTIN-14 per product id (only products that have one; only used with a company prefix). */
  productGtins: ReadonlyMap<number, string>;
}

/** Where a brand without its own domain setting mints its URIs. */
export const DEFAULT_BASE_URI = 'https://id.lumbung.id/brands';

/** The prefix of the brand's extension fields, declared in each document's @context. */
export const BRAND_NS_PREFIX = 'brand';

export function baseUri(identity: Pick<BrandIdentity, 'brandId' | 'domain'>): string {
  return identity.domain ? `https://${identity.domain}` : `${DEFAULT_BASE_URI}/${identity.brandId}`;
}

/** The brand's vocabulary namespace for extension fields (a JSON-LD prefix maps to it). */
export const brandNamespace = (identity: Pick<BrandIdentity, 'brandId' | 'domain'>) => `${baseUri(identity)}/epcis/ns#`;

const seg = (value: string | number) => encodeURIComponent(String(value));

/** A lot number as a GS1 AI (10) value: the platform's lot id (digits only, so always URI-safe). */
const lotNumber = (lotId: number) => String(lotId);

export function lotClass(identity: BrandIdentity, lot: { lotId: number; productId: number }): string {
  const gtin = identity.gs1CompanyPrefix ? identity.productGtins.get(lot.productId) : undefined;
  if (identity.gs1CompanyPrefix && gtin) {
    if (identity.syntax === 'DIGITAL_LINK') return `https://id.gs1.org/01/${gtin}/10/${lotNumber(lot.lotId)}`;
    const prefix = identity.gs1CompanyPrefix;
    // GTIN-14 = indicator, company prefix, item reference, check digit; the EPC puts the indicator in front of the item reference.
    const itemRef = gtin[0] + gtin.slice(1 + prefix.length, 13);
    return `urn:epc:class:lgtin:${prefix}.${itemRef}.${lotNumber(lot.lotId)}`;
  }
  return `${baseUri(identity)}/epcis/lots/${lot.lotId}`;
}

export const containerEpc = (containerNumber: string) => `urn:epc:id:bic:${containerNumber}`;
export const plotUri = (identity: BrandIdentity, plotId: number) => `${baseUri(identity)}/epcis/plots/${plotId}`;
export const brandPartyUri = (identity: BrandIdentity) => `${baseUri(identity)}/epcis/parties/brand`;
export const buyerPartyUri = (identity: BrandIdentity, buyerOrgId: number) => `${baseUri(identity)}/epcis/parties/buyers/${buyerOrgId}`;
export const portUri = (identity: BrandIdentity, locode: string) => `${baseUri(identity)}/epcis/locations/unlocode/${seg(locode)}`;
export const purchaseOrderUri = (identity: BrandIdentity, orderId: number) => `${baseUri(identity)}/epcis/orders/${orderId}`;
export const billOfLadingUri = (identity: BrandIdentity, bol: string) => `${baseUri(identity)}/epcis/bills-of-lading/${seg(bol)}`;
export const invoiceUri = (identity: BrandIdentity, invoice: string) => `${baseUri(identity)}/epcis/invoices/${seg(invoice)}`;
export const shipmentDocumentUri = (identity: BrandIdentity, shipmentId: number) => `${baseUri(identity)}/epcis/shipments/${shipmentId}`;

/**
 * A stable event ID: an RFC 9562 name-based UUID (version 5, SHA-1) of the document's namespace and
 * the event's key, so re-exporting the same chain gives the same IDs and a receiver can de-duplicate.
 */
export function eventId(identity: BrandIdentity, key: string): string {
  const hash = createHash('sha1').update(`${baseUri(identity)}/epcis/events/${key}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Validation of the brand settings ----------------------------------------------------------------

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name the brand controls, e.g. "javeast.id": lower-case labels, at least one dot, no scheme or path. */
export function domainProblem(domain: string): IssueText | null {
  if (domain.length > 253) return DOMAIN_TOO_LONG;
  if (/[A-Z]/.test(domain)) return { en: 'use lower case', id: 'gunakan huruf kecil' };
  if (domain.includes('://') || domain.includes('/')) {
    return { en: 'a host name only, e.g. "javeast.id" (no scheme or path)', id: 'cukup nama host, misalnya "javeast.id" (tanpa skema atau path)' };
  }
  const labels = domain.split('.');
  if (labels.length < 2) return { en: 'a host name with at least one dot, e.g. "javeast.id"', id: 'nama host dengan paling sedikit satu titik, misalnya "javeast.id"' };
  if (!labels.every((l) => HOST_LABEL.test(l))) {
    return {
      en: 'each part is 1–63 letters, digits or hyphens, not starting or ending with a hyphen',
      id: 'setiap bagian 1–63 huruf, angka atau tanda hubung, tidak diawali atau diakhiri tanda hubung',
    };
  }
  if (/^\d+$/.test(labels.at(-1) as string)) return { en: 'the top-level part cannot be all digits', id: 'bagian paling akhir tidak boleh berupa angka semua' };
  return null;
}

export const DOMAIN_TOO_LONG: IssueText = { en: 'at most 253 characters', id: 'paling banyak 253 karakter' };
export const COMPANY_PREFIX: IssueText = { en: 'a GS1 company prefix is 6 to 12 digits', id: 'prefiks perusahaan GS1 terdiri dari 6 sampai 12 angka' };
export const GTIN_DIGITS: IssueText = { en: 'a GTIN is 8, 12, 13 or 14 digits', id: 'GTIN terdiri dari 8, 12, 13 atau 14 angka' };

/** A GS1 company prefix as the EPC Tag Data Standard accepts it: 6–12 digits. */
export const companyPrefixProblem = (prefix: string): IssueText | null => (/^\d{6,12}$/.test(prefix) ? null : COMPANY_PREFIX);

/** The GS1 mod-10 check digit of the digits before it. */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[digits.length - 1 - i]);
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Normalise a GTIN-8/12/13/14 to GTIN-14 and check it against the brand's company prefix.
 * Returns the GTIN-14 or a problem.
 */
export function normaliseGtin(gtin: string, companyPrefix: string): { gtin14: string } | { problem: IssueText } {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(gtin)) return { problem: GTIN_DIGITS };
  const gtin14 = gtin.padStart(14, '0');
  const check = gs1CheckDigit(gtin14.slice(0, 13));
  if (check !== Number(gtin14[13])) return { problem: { en: `check digit should be ${check}`, id: `digit pemeriksa seharusnya ${check}` } };
  if (!gtin14.slice(1).startsWith(companyPrefix)) {
    return {
      problem: {
        en: `the GTIN does not carry the brand's GS1 company prefix ${companyPrefix}`,
        id: `GTIN ini tidak memuat prefiks perusahaan GS1 milik merek, ${companyPrefix}`,
      },
    };
  }
  return { gtin14 };
}

export interface SettingsInput {
  domain: string | null;
  gs1CompanyPrefix: string | null;
  syntax: IdentifierSyntax;
  productGtins: ReadonlyArray<{ productId: number; gtin: string }>;
}

/** Every problem with a settings input, with paths under `input.` (the product ids must be checked against the brand by the caller). */
export function settingsIssues(input: SettingsInput): { issues: Issue[]; gtins: Array<{ productId: number; gtin14: string }> } {
  const issues: Issue[] = [];
  const gtins: Array<{ productId: number; gtin14: string }> = [];
  if (input.domain !== null) {
    const p = domainProblem(input.domain);
    if (p) issues.push(issueAt('input.identifierDomain', p));
  }
  if (input.gs1CompanyPrefix !== null) {
    const p = companyPrefixProblem(input.gs1CompanyPrefix);
    if (p) issues.push(issueAt('input.gs1CompanyPrefix', p));
  }
  if (input.syntax === 'DIGITAL_LINK' && input.gs1CompanyPrefix === null) {
    issues.push(issueAt('input.identifierSyntax', { en: 'GS1 Digital Link needs a GS1 company prefix', id: 'GS1 Digital Link memerlukan prefiks perusahaan GS1' }));
  }
  const seen = new Set<number>();
  input.productGtins.forEach((g, i) => {
    if (seen.has(g.productId)) issues.push(issueAt(`input.productGtins.${i}.productId`, { en: 'the product is listed twice', id: 'produk ini tercantum dua kali' }));
    seen.add(g.productId);
    if (input.gs1CompanyPrefix === null) {
      issues.push(issueAt(`input.productGtins.${i}.gtin`, {
        en: 'a product GTIN needs the brand\'s GS1 company prefix',
        id: 'GTIN produk memerlukan prefiks perusahaan GS1 milik merek',
      }));
      return;
    }
    if (companyPrefixProblem(input.gs1CompanyPrefix)) return;
    const r = normaliseGtin(g.gtin, input.gs1CompanyPrefix);
    if ('problem' in r) issues.push(issueAt(`input.productGtins.${i}.gtin`, r.problem));
    else gtins.push({ productId: g.productId, gtin14: r.gtin14 });
  });
  return { issues, gtins };
}
