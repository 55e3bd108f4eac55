import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

/**
 * The JWT secret: from JWT_SECRET when set (required with DATABASE_URL); in embedded mode,
 * generated once and kept in the data directory (mode 0600), so tokens survive restarts.
 */
export function resolveJwtSecret(config: Config): { secret: string; generated: boolean; file: string | null } {
  if (config.jwt.secret) return { secret: config.jwt.secret, generated: false, file: null };
  const file = path.join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: false, file };
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, generated: true, file };
}

export function withJwtSecret(config: Config, secret: string): Config {
  return { ...config, jwt: { ...config.jwt, secret } };
}
