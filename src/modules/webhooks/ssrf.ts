import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { IssueText } from '../../platform/issue-messages.js';

/**
 * SSRF guard: a webhook URL must resolve only to public addresses. Refused: loopback, private
 * (RFC 1918, fc00::/7), link-local (169.254/16 — cloud metadata — and fe80::/10), CGNAT,
 * unspecified, multicast, reserved and documentation ranges, IPv4-mapped forms of those.
 * Checked at registration and again before every attempt (DNS can change); the connection then
 * goes to the address that was checked. Tests may allow loopback by config.
 */

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96], ['100::', 64]] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), else null. */
function mappedV4(address: string): string | null {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : null;
}

export function isForbiddenAddress(address: string, allowLoopback: boolean): boolean {
  const v4 = mappedV4(address);
  const family = v4 ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const a = v4 ?? address;
  if (allowLoopback && loopback.check(a, family)) return false;
  return blocked.check(a, family);
}

export interface UrlPolicy {
  /** Allow http:// (tests); otherwise HTTPS only. */
  allowHttp: boolean;
  /** Allow loopback addresses (tests). */
  allowLoopback: boolean;
}

export class UnsafeUrlError extends Error {
  constructor(readonly text: IssueText) {
    super(text.en);
  }
}

/** Parse and check a webhook URL's form (no DNS): https (or http when allowed), no credentials. */
export function checkUrlForm(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError({ en: 'must be an absolute URL such as https://example.com/webhooks', id: 'harus URL lengkap, misalnya https://example.com/webhooks' });
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) throw new UnsafeUrlError({ en: 'must use https', id: 'harus memakai https' });
  if (url.username || url.password) throw new UnsafeUrlError({ en: 'must not contain credentials', id: 'tidak boleh memuat nama pengguna atau kata sandi' });
  if (url.hash) throw new UnsafeUrlError({ en: 'must not contain a fragment', id: 'tidak boleh memuat fragmen (#…)' });
  return url;
}

const doesNotResolve = (host: string): IssueText => ({ en: `${host} does not resolve`, id: `${host} tidak dapat ditemukan (DNS)` });

/** Resolve the host and refuse any forbidden address. Returns the addresses to connect to. */
export async function resolveSafely(url: URL, policy: UrlPolicy, resolve = defaultResolve): Promise<Array<{ address: string; family: number }>> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  if (addresses.length === 0) throw new UnsafeUrlError(doesNotResolve(host));
  const bad = addresses.find((a) => isForbiddenAddress(a.address, policy.allowLoopback));
  if (bad) {
    throw new UnsafeUrlError({
      en: `${host} resolves to ${bad.address}, a loopback, private, link-local or reserved address`,
      id: `${host} mengarah ke ${bad.address}, alamat loopback, privat, link-local atau khusus`,
    });
  }
  return addresses;
}

/** How long a lookup may take before the URL is refused (a slow resolver must not hold a request or a worker). */
export const RESOLVE_TIMEOUT_MS = 3_000;

async function defaultResolve(host: string) {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), RESOLVE_TIMEOUT_MS); }),
    ]);
  } catch {
    throw new UnsafeUrlError(doesNotResolve(host));
  } finally {
    clearTimeout(timer);
  }
}
