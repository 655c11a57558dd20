import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Channel secrets at rest. With a key (SECRETS_KEY): AES-256-GCM, a fresh 96-bit IV per value and
 * the channel id as associated data, so a sealed value copied onto another channel does not open.
 * Without a key the value is stored as given, marked "plain:" so that setting a key later still
 * reads it (and the next update of the channel seals it).
 */
export interface SecretBox {
  readonly sealing: boolean;
  seal(value: string, channelId: string): string;
  /** The clear value; throws when it was sealed under a key this process does not have. */
  open(stored: string, channelId: string): string;
}

const VERSION = 'v1';
const PLAIN = 'plain:';

export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

export function createSecretBox(key: Buffer | null): SecretBox {
  return {
    sealing: key !== null,
    seal(value, channelId) {
      if (!key) return PLAIN + value;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(channelId));
      const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join(
        ':',
      );
    },
    open(stored, channelId) {
      if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
      const [version, iv, tag, sealed] = stored.split(':');
      if (version !== VERSION || !iv || !tag || sealed === undefined)
        throw new SecretUnavailableError('the stored secret is not in a known format');
      if (!key) throw new SecretUnavailableError('the channel secret is sealed, but SECRETS_KEY is not set');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAAD(Buffer.from(channelId));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnavailableError(
          'the channel secret does not open with this SECRETS_KEY (was the key changed?)',
        );
      }
    },
  };
}
