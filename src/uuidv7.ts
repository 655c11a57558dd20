import { randomFillSync } from 'node:crypto';

let lastMs = -1;
let sequence = 0;
const bytes = Buffer.alloc(16);

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter that keeps ids made in
 * the same millisecond in order, then random bits. StatusChange ids sort by time because of it.
 * Ids never go backwards: a clock that steps back, or more than 4,096 ids in one millisecond,
 * reuse the last millisecond used (or the next one) rather than sort before earlier ids.
 */
export function uuidv7(ms: number = Date.now()): string {
  if (ms > lastMs) {
    lastMs = ms;
    sequence = 0;
  } else if (sequence < 0xfff) {
    sequence++;
  } else {
    // The counter is spent (or the clock stepped back that far): borrow the next millisecond, so
    // ids still sort in creation order (RFC 9562, section 6.2) instead of wrapping to 0.
    lastMs++;
    sequence = 0;
  }
  randomFillSync(bytes, 8, 8);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
