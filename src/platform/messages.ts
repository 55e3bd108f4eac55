import type {
  AppError, BusyError, ConflictError, ForbiddenError, IdempotencyInProgressError, IdempotencyKeyReusedError, InvalidCredentialsError,
  InvalidTransitionError, NotFoundError, UnauthenticatedError, ValidationError,
} from './errors.js';
import type { ErrorCode } from './error-codes.js';
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
 * (entity, path, states) so it says as much. Every other code (CODE_MESSAGES below) has one
 * Indonesian text per code.
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
    id: (e) => {
      const [first, ...rest] = e.issues;
      if (!first) return 'Masukan tidak valid: periksa isian.';
      const more = rest.length > 0 ? ` (dan ${rest.length} masalah lain)` : '';
      return `Masukan tidak valid pada ${first.path}: ${first.text.id.replace(/\.$/, '')}${more}.`;
    },
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

/**
 * Every other code of the catalogue (error-codes.ts): the modules' refusals and the request-level
 * codes. English keeps the error's own message; Indonesian is one text per code (a code listed in
 * error-codes.ts without both fails the type check, and error-codes.test.ts keeps that list equal
 * to the codes the source uses).
 */
export const CODE_MESSAGES = {
  NOT_APPROVED_MEMBER: { en: 'Only approved members of the brand may do this.', id: 'Hanya anggota merek yang sudah disetujui yang dapat melakukan ini.' },
  INSUFFICIENT_SUPPLY: { en: 'The supply cannot cover the order under these constraints; nothing was written.', id: 'Pasokan tidak mencukupi pesanan dengan batasan ini; tidak ada yang disimpan.' },
  COMMITMENT_ALLOCATED: { en: 'The commitment has weight allocated to orders; release it first.', id: 'Sebagian komitmen ini sudah dialokasikan ke pesanan; lepaskan alokasinya terlebih dahulu.' },
  FULFILMENT_REFUSED: { en: 'The line, lot or order does not allow this fulfilment or shortfall; nothing was written.', id: 'Baris alokasi, lot atau pesanan ini tidak memungkinkan pemenuhan atau kekurangan tersebut; tidak ada yang disimpan.' },
  LOADED_WEIGHT_MISMATCH: { en: 'The containers\' loaded weight differs from the order\'s shipped lines; nothing was written.', id: 'Berat muatan kontainer berbeda dengan baris pesanan yang dikirim; tidak ada yang disimpan.' },
  EUDR_LIMIT_EXCEEDED: { en: 'The package would exceed a limit of the EU Information System.', id: 'Paket EUDR akan melampaui batas Sistem Informasi Uni Eropa; bagi pengirimannya.' },
  NOTHING_TO_SETTLE: { en: 'No payment arrived since the last settlement run; nothing was written.', id: 'Belum ada pembayaran baru sejak penyelesaian terakhir; tidak ada yang disimpan.' },
  SETTLEMENT_NOT_READY: { en: 'Something the settlement needs is missing; nothing was written.', id: 'Data yang diperlukan untuk penyelesaian belum lengkap (misalnya pesanan belum dikirim atau kurs belum dicatat); tidak ada yang disimpan.' },
  SETTLEMENT_WOULD_REDUCE: { en: 'Costs recorded since the last run exceed what the new money leaves; nothing was written.', id: 'Biaya yang dicatat sejak penyelesaian terakhir melebihi dana baru; slip yang sudah terbit tidak pernah dikurangi. Tidak ada yang disimpan.' },
  PREMIUMS_EXCEED_NET: { en: 'The premiums exceed what is left after fees and costs; nothing was written.', id: 'Premi melebihi sisa dana setelah biaya dan potongan; tidak ada yang disimpan.' },
  SHU_YEAR_CLOSED: { en: 'The fiscal year is closed: its SHU figures are final; nothing was written.', id: 'Tahun buku sudah ditutup: angka SHU-nya final; tidak ada yang disimpan.' },
  SHU_NOT_DISTRIBUTABLE: { en: 'A members\' part of the SHU has nothing to be split by; nothing was written.', id: 'Bagian SHU anggota tidak dapat dibagi karena tidak ada dasar pembaginya (tanpa setoran atau simpanan pada tahun itu); tidak ada yang disimpan.' },
  BAD_USER_INPUT: { en: 'An input value is invalid.', id: 'Ada nilai masukan yang tidak valid.' },
  BAD_REQUEST: { en: 'The request is not valid GraphQL for this API.', id: 'Permintaan ini bukan GraphQL yang valid untuk API ini.' },
  TOO_MANY_ALIASES: { en: 'The query uses too many aliases.', id: 'Kueri ini memakai terlalu banyak alias; pecah menjadi beberapa permintaan.' },
  QUERY_TOO_COMPLEX: { en: 'The query is too complex.', id: 'Kueri ini terlalu kompleks; minta lebih sedikit kolom atau halaman yang lebih kecil.' },
  INSUFFICIENT_SCOPE: { en: 'The token lacks a scope this field needs.', id: 'Token ini tidak memiliki cakupan (scope) yang diperlukan kolom ini.' },
  UNTRUSTED_DOCUMENT: { en: 'This client may only run its trusted documents.', id: 'Klien ini hanya boleh menjalankan dokumen tepercaya miliknya.' },
  CSRF_PREVENTED: { en: 'This request could have been sent by a cross-site form.', id: 'Permintaan ini bisa berasal dari formulir situs lain; kirim dengan Content-Type: application/json.' },
  THROTTLED: { en: 'The query cost budget is used up; retry later.', id: 'Kuota biaya kueri sudah habis; coba lagi nanti.' },
  RATE_LIMITED: { en: 'Too many requests; retry later.', id: 'Terlalu banyak permintaan; coba lagi nanti.' },
  SERVICE_UNAVAILABLE: { en: 'The server is busy; retry later.', id: 'Server sedang sibuk; coba lagi nanti.' },
  INTERNAL: { en: 'Internal error.', id: 'Terjadi kesalahan internal.' },
} as const satisfies { [C in Exclude<ErrorCode, PlatformErrorCode>]: Record<Language, string> };

/** Request-level codes whose Indonesian text keeps the engine's English detail after it (developers read these). */
const WITH_DETAIL: ReadonlySet<string> = new Set(['BAD_REQUEST', 'TOO_MANY_ALIASES', 'QUERY_TOO_COMPLEX', 'INSUFFICIENT_SCOPE', 'THROTTLED']);

/** The message of a request-level error (`errors` array) with `code` in a language. */
export function localizedRequestMessage(code: string, message: string, language: Language): string {
  if (language === 'en') return message;
  const entry = (CODE_MESSAGES as Record<string, Record<Language, string> | undefined>)[code];
  if (!entry) return message;
  return WITH_DETAIL.has(code) ? `${entry.id} Rincian: ${message}` : entry.id;
}

/** Messages of GraphQL's own input refusals (BAD_USER_INPUT), which carry the engine's English detail. */
export const INPUT_MESSAGES: Record<Language, (path: string, detail: string) => string> = {
  en: (_path, detail) => detail,
  id: (path, detail) => `Nilai untuk ${path} tidak valid. Rincian: ${detail}`,
};

/** The message of an error in a language: the platform catalogue's, else the code's, else the error's own. */
export function localizedMessage(error: AppError, language: Language): string {
  const entry = (PLATFORM_MESSAGES as unknown as Record<string, Record<Language, (e: AppError) => string> | undefined>)[error.code];
  if (entry) return entry[language](error);
  if (language === 'en') return error.message;
  const specific = error.indonesian();
  if (specific !== null) return specific;
  return (CODE_MESSAGES as Record<string, Record<Language, string> | undefined>)[error.code]?.id ?? error.message;
}
