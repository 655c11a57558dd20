import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The push secret: 32 random bytes, URL-safe (43 characters), shown once. */
export function newPushToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashPushToken(token) };
}

/** What is stored: SHA-256 in hex. A token of 256 random bits needs no slow hash. */
export function hashPushToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A hash of nothing any token hashes to: compared against when the service is unknown, to cost the same. */
const NO_HASH = Buffer.alloc(32);

/**
 * True when `presented` is the token behind `storedHash`, compared in constant time; also
 * hashes and compares when there is no stored hash, so that an unknown id takes as long as a
 * wrong secret.
 */
export function pushTokenMatches(storedHash: string | null | undefined, presented: string): boolean {
  const stored = storedHash && HASH.test(storedHash) ? Buffer.from(storedHash, 'hex') : null;
  const actual = createHash('sha256').update(presented).digest();
  const same = timingSafeEqual(stored ?? NO_HASH, actual);
  return same && stored !== null;
}

const HASH = /^[0-9a-f]{64}$/;

/** The push path of a HEARTBEAT service (its `url`): no secret in it. */
export function pushPath(serviceId: string): string {
  return `/push/${serviceId}`;
}
