import net from 'node:net';

/**
 * Address and CIDR arithmetic for the target policy, allocation-free on the per-connection path.
 *
 * Every address is held as 128 bits in four unsigned 32-bit words, most significant first. IPv4
 * a.b.c.d is held as its IPv4-mapped form ::ffff:a.b.c.d, so one representation serves both
 * families and an IPv4 range matches the mapped spelling of its addresses as well.
 */
export type Address = Uint32Array;

/** A range in the 128-bit space: an IPv4 /n is held as the mapped /(96 + n). */
export interface Cidr {
  readonly address: Address;
  readonly prefix: number;
}

/** How an IPv6 address carries an IPv4 address that decides where it really goes. */
export type Embedding = 'IPv4-mapped' | 'NAT64' | '6to4';

export interface RangeTable<T> {
  readonly size: number;
  /** The value of the first range holding `address`, or undefined. */
  match(address: Address): T | undefined;
}

const DOT = 0x2e;
const COLON = 0x3a;
const NAT64_WORD = 0x0064ff9b; // 64:ff9b::/96, RFC 6052
const SIX_TO_FOUR = 0x2002; // 2002::/16, RFC 3056

/** Scratch for IPv6 groups: parsing is synchronous, so one buffer serves every call. */
const groups = new Uint16Array(8);

export function newAddress(): Address {
  return new Uint32Array(4);
}

/** Reads a canonical IPv4 dotted quad or any IPv6 spelling of `text` (up to `end`) into `out`. */
export function parseAddress(text: string, out: Address, end = text.length): boolean {
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === COLON) return parseV6(text, end, out);
  }
  const v4 = parseV4(text, 0, end);
  if (v4 < 0) return false;
  setMapped(v4, out);
  return true;
}

/** Writes ::ffff:v4 to `out`. */
export function setMapped(v4: number, out: Address): void {
  out[0] = 0;
  out[1] = 0;
  out[2] = 0xffff;
  out[3] = v4;
}

export function isMapped(address: Address): boolean {
  return address[0] === 0 && address[1] === 0 && address[2] === 0xffff;
}

/** The IPv4 address that `address` stands for, written to `out` in mapped form; null when none. */
export function embeddedV4(address: Address, out: Address): Embedding | null {
  const w0 = address[0]!;
  if (isMapped(address)) {
    setMapped(address[3]!, out);
    return 'IPv4-mapped';
  }
  if (w0 === NAT64_WORD && address[1] === 0 && address[2] === 0) {
    setMapped(address[3]!, out);
    return 'NAT64';
  }
  if (w0 >>> 16 === SIX_TO_FOUR) {
    setMapped((w0 & 0xffff) * 0x10000 + (address[1]! >>> 16), out);
    return '6to4';
  }
  return null;
}

export function formatV4(v4: number): string {
  return `${v4 >>> 24}.${(v4 >>> 16) & 0xff}.${(v4 >>> 8) & 0xff}.${v4 & 0xff}`;
}

/** Parses "address" or "address/prefix"; a readable problem when it is neither. */
export function parseCidr(entry: string): Cidr | string {
  const text = entry.trim();
  if (text === '') return 'an empty entry (two commas in a row, or a trailing comma?)';
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const family = net.isIP(host);
  const address = newAddress();
  // net.isIP accepts IPv6 zone ids ("fe80::1%eth0"), parseAddress does not: a zone is no range.
  if (family === 0 || !parseAddress(host, address)) {
    return `"${text}" is not an IPv4 or IPv6 address or CIDR`;
  }
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    prefix = /^(0|[1-9][0-9]{0,2})$/.test(digits) ? Number(digits) : -1;
    if (prefix < 0 || prefix > max) {
      return `"${text}" has an invalid prefix length: IPv${family} allows /0 to /${max}`;
    }
  }
  const cidr = { address, prefix: family === 4 ? prefix + 96 : prefix };
  if (hasHostBits(cidr)) {
    return `"${text}" has bits set after its /${prefix} prefix (did you mean ${networkText(cidr, family)}/${prefix}?)`;
  }
  return cidr;
}

/** Like parseCidr, for lists known to be valid (built-in tables, validated config): throws otherwise. */
export function cidr(entry: string): Cidr {
  const parsed = parseCidr(entry);
  if (typeof parsed === 'string') throw new Error(`invalid CIDR: ${parsed}`);
  return parsed;
}

export function createRangeTable<T>(entries: readonly (readonly [Cidr, T])[]): RangeTable<T> {
  // Per range: four network words, then four mask words (as int32, the type `&` yields).
  const bits = new Int32Array(entries.length * 8);
  const values = entries.map(([range, value], r) => {
    for (let k = 0; k < 4; k++) {
      const mask = maskWord(range.prefix, k);
      bits[r * 8 + k] = range.address[k]! & mask;
      bits[r * 8 + 4 + k] = mask;
    }
    return value;
  });
  return {
    size: values.length,
    match(a) {
      for (let r = 0, o = 0; r < values.length; r++, o += 8) {
        if (
          (a[0]! & bits[o + 4]!) === bits[o] &&
          (a[1]! & bits[o + 5]!) === bits[o + 1] &&
          (a[2]! & bits[o + 6]!) === bits[o + 2] &&
          (a[3]! & bits[o + 7]!) === bits[o + 3]
        ) {
          return values[r];
        }
      }
      return undefined;
    },
  };
}

/** Strict dotted quad (no leading zeros, as net.isIPv4); the address as a uint32, or -1. */
function parseV4(text: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? DOT : text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0) return -1;
      value = value * 256 + octet;
      parts++;
      octet = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 0x30);
      digits++;
      if (octet > 255) return -1;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value : -1;
}

/** Any RFC 4291 spelling: "::" compression, mixed case, a dotted IPv4 tail. */
function parseV6(text: string, end: number, out: Address): boolean {
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let value = 0;
    let j = i;
    for (let h = hexValue(text.charCodeAt(j)); j < end && h >= 0; h = hexValue(text.charCodeAt(++j))) {
      if (j - i === 4) return false;
      value = value * 16 + h;
    }
    if (j < end && text.charCodeAt(j) === DOT) {
      const v4 = count <= 6 ? parseV4(text, i, end) : -1;
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (j === i || count === 8) return false;
    groups[count++] = value;
    if (j === end) break;
    if (text.charCodeAt(j) !== COLON || ++j === end) return false;
    if (text.charCodeAt(j) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      j++;
    }
    i = j;
  }
  if (gap < 0 ? count !== 8 : count === 8) return false;
  if (gap >= 0) expandGap(gap, count);
  for (let k = 0; k < 4; k++) out[k] = groups[2 * k]! * 0x10000 + groups[2 * k + 1]!;
  return true;
}

/** Moves the groups after "::" to the end and zeroes the ones it stands for. */
function expandGap(gap: number, count: number): void {
  const shift = 8 - count;
  for (let k = count - 1; k >= gap; k--) groups[k + shift] = groups[k]!;
  for (let k = gap; k < gap + shift; k++) groups[k] = 0;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Word k (0 = most significant) of a /prefix mask, as int32. */
function maskWord(prefix: number, k: number): number {
  const bits = Math.min(32, Math.max(0, prefix - 32 * k));
  return bits === 0 ? 0 : -1 << (32 - bits);
}

function hasHostBits(range: Cidr): boolean {
  for (let k = 0; k < 4; k++) {
    const word = range.address[k]! | 0;
    if ((word & maskWord(range.prefix, k)) !== word) return true;
  }
  return false;
}

/** The network address of `range`, for messages (config time only). */
function networkText(range: Cidr, family: number): string {
  const words = range.address.map((word, k) => word & maskWord(range.prefix, k));
  if (family === 4) return formatV4(words[3]!);
  const hex = [...words].flatMap((word) => [(word >>> 16).toString(16), (word & 0xffff).toString(16)]);
  return new URL(`http://[${hex.join(':')}]/`).hostname.slice(1, -1);
}
