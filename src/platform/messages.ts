import type {
  AppError, BusyError, ConflictError, ForbiddenError, IdempotencyInProgressError, IdempotencyKeyReusedError, InvalidCredentialsError,
  InvalidTransitionError, NotFoundError, UnauthenticatedError, ValidationError,
} from './errors.js';
import type { Language } from './language.js';
import type { ServiceBusyError } from './limits/gate.js';
import type { TooManyAttemptsError } from './limits/throttle.js';

/**
 * The typed message catalogue of the platform's error codes and the common errors (issue 8 §4,
 * first part): one message per code in English and Indonesian, picked by the request's language
 * (Accept-Language: id, id-ID and the old in-ID mean Indonesian; see language.ts). The code never
 * changes with the language.
 *
 * The catalogue is typed over the codes of the platform's error classes: a code without an entry,
 * or an entry without one of the languages, fails the type check. English keeps the error's own
 * message (services write it with the specifics); Indonesian is built from the error's fields
 * (entity, path, states) so it says as much. Module errors not yet in a catalogue answer in English.
 */

type PlatformError =
  | ValidationError | NotFoundError | ForbiddenError | UnauthenticatedError | InvalidCredentialsError | InvalidTransitionError
  | ConflictError | BusyError | IdempotencyKeyReusedError | IdempotencyInProgressError | ServiceBusyError | TooManyAttemptsError;
export type PlatformErrorCode = PlatformError['code'];

type Catalogue = { [C in PlatformErrorCode]: Record<Language, (e: Extract<PlatformError, { code: C }>) => string> };

/** Indonesian names of the objects a NotFoundError or InvalidTransitionError names (others keep their type name). */
const ENTITY_ID: Record<string, string> = {
  Order: 'Pesanan', Lot: 'Lot', Producer: 'Produsen', Plot: 'Lahan', Commitment: 'Komitmen', Membership: 'Keanggotaan', Brand: 'Merek',
  Product: 'Produk', Cooperative: 'Koperasi', Shipment: 'Pengiriman', AllocationLine: 'Baris alokasi', User: 'Pengguna',
  RoleGrant: 'Hak akses', PayoutStatement: 'Slip pembayaran', BuyerOrganization: 'Organisasi pembeli', CapitalRecord: 'Catatan simpanan',
  ShuYear: 'Tahun buku SHU', PartnerClient: 'Klien mitra', PartnerClientSecret: 'Rahasia klien mitra', Assessment: 'Penilaian mutu',
  GradeScheme: 'Skema mutu', WebhookEndpoint: 'Endpoint webhook', WebhookSecret: 'Rahasia webhook',
};
const entityId = (entity: string) => ENTITY_ID[entity] ?? entity;
const at = (path: string | null) => (path ? ` (${path})` : '');

export const PLATFORM_MESSAGES = {
  VALIDATION_FAILED: {
    en: (e) => e.message,
    id: (e) => `Masukan tidak valid: periksa ${e.issues.map((i) => i.path).join(', ') || 'isian'}.`,
  },
  NOT_FOUND: {
    en: (e) => e.message,
    id: (e) => `${entityId(e.entity)} tidak ditemukan${at(e.path)}.`,
  },
  FORBIDDEN: {
    en: (e) => e.message,
    id: () => 'Anda tidak berwenang melakukan tindakan ini.',
  },
  UNAUTHENTICATED: {
    en: (e) => e.message,
    id: () => 'Silakan masuk terlebih dahulu: diperlukan token yang sah.',
  },
  INVALID_CREDENTIALS: {
    en: (e) => e.message,
    id: () => 'Email atau kata sandi salah.',
  },
  INVALID_TRANSITION: {
    en: (e) => e.message,
    id: (e) => `${entityId(e.entity)} tidak dapat diubah dari ${e.from} ke ${e.to}.`,
  },
  CONFLICT: {
    en: (e) => e.message,
    id: (e) => `Perubahan ini bentrok dengan data yang sudah ada${at(e.path)}.`,
  },
  IDEMPOTENCY_KEY_REUSED: {
    en: (e) => e.message,
    id: () => 'Kunci idempotensi ini sudah dipakai untuk permintaan lain; gunakan kunci baru untuk permintaan baru.',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    en: (e) => e.message,
    id: () => 'Permintaan dengan kunci idempotensi ini masih diproses; coba lagi sebentar lagi untuk melihat hasilnya.',
  },
  ALLOCATION_BUSY: {
    en: (e) => e.message,
    id: () => 'Pasokan sedang diproses oleh permintaan lain; tidak ada yang disimpan, silakan coba lagi sebentar lagi.',
  },
  SERVICE_BUSY: {
    en: (e) => e.message,
    id: () => 'Layanan sedang sibuk; tidak ada yang diproses, silakan coba lagi sebentar lagi.',
  },
  TOO_MANY_ATTEMPTS: {
    en: (e) => e.message,
    id: (e) => `Terlalu banyak percobaan gagal; coba lagi dalam ${e.retryAfterSeconds} detik.`,
  },
} as const satisfies Catalogue;

/** Messages of GraphQL's own input refusals (BAD_USER_INPUT), which carry the engine's English detail. */
export const INPUT_MESSAGES: Record<Language, (path: string, detail: string) => string> = {
  en: (_path, detail) => detail,
  id: (path, detail) => `Nilai untuk ${path} tidak valid. Rincian: ${detail}`,
};

/** The message of an error in a language: the catalogue's for platform codes, the error's own otherwise. */
export function localizedMessage(error: AppError, language: Language): string {
  const entry = (PLATFORM_MESSAGES as unknown as Record<string, Record<Language, (e: AppError) => string> | undefined>)[error.code];
  return entry ? entry[language](error) : error.message;
}
