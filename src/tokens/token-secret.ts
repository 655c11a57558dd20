import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every token made through the API starts with this, so secret scanners can recognise one. */
export const TOKEN_PREFIX = 'sct_';
const SECRET_BYTES = 32;
const SALT_BYTES = 16;
/** sct_ + the token's id (a UUIDv7 without dashes) + 32 random bytes in base64url. */
const TOKEN_SHAPE = /^sct_([0-9a-f]{32})([A-Za-z0-9_-]{43})$/;

export interface NewSecret {
  /** Shown once, to whoever created it; never stored. */
  token: string;
  salt: Buffer;
  hash: Buffer;
}

/**
 * SHA-256 of a per-token salt and the secret. The secret is 256 random bits, so no password-style
 * slow hash (scrypt, argon2) is needed: guessing it is hopeless however fast each guess is, and a
 * fast hash keeps every request's check in microseconds. The salt makes equal hashes impossible to
 * spot across tokens or deployments.
 */
function hashOf(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret).digest();
}

export function newSecret(id: string): NewSecret {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const salt = randomBytes(SALT_BYTES);
  return { token: `${TOKEN_PREFIX}${id.replaceAll('-', '')}${secret}`, salt, hash: hashOf(salt, secret) };
}

/** The id and secret of something shaped like a token, or null. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return null;
  const hex = match[1]!;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id, secret: match[2]! };
}

/** Constant-time comparison of the presented secret with the stored hash. */
export function secretMatches(secret: string, salt: Uint8Array, hash: Uint8Array): boolean {
  const presented = hashOf(Buffer.from(salt), secret);
  return hash.length === presented.length && timingSafeEqual(presented, hash);
}
