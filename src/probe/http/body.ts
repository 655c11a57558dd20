/** At most this much body is read: searched for `bodyContains`, or drained for connection reuse. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Looks for a byte sequence in a body that arrives in chunks, in linear time and constant memory:
 * each chunk is searched on its own, plus the seam between it and the previous chunk (the last
 * `needle.length - 1` bytes kept from before). Bytes, not text: the needle is UTF-8 and so is
 * nearly every health endpoint, and UTF-8 never matches across a character boundary.
 */
export class BodySearch {
  private tail: Buffer | null = null;

  constructor(private readonly needle: Buffer) {}

  /** Feeds the next chunk; true once the needle has been seen. */
  feed(chunk: Buffer): boolean {
    const keep = this.needle.length - 1;
    if (this.tail !== null && keep > 0) {
      const seam = Buffer.concat([this.tail, chunk.subarray(0, keep)]);
      if (seam.indexOf(this.needle) !== -1) return true;
    }
    if (chunk.indexOf(this.needle) !== -1) return true;
    if (keep > 0) this.tail = this.keepTail(chunk, keep);
    return false;
  }

  private keepTail(chunk: Buffer, keep: number): Buffer {
    if (chunk.length >= keep) return Buffer.from(chunk.subarray(chunk.length - keep));
    const joined = this.tail === null ? chunk : Buffer.concat([this.tail, chunk]);
    return Buffer.from(joined.subarray(Math.max(0, joined.length - keep)));
  }
}
