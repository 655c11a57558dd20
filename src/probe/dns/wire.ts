import * as packet from 'dns-packet';
import type { DnsRecordType } from './options.js';

/**
 * The DNS wire format of one question, written once per name and type: a check copies it and sets
 * its id; an answer is compared with it byte by byte before anything is decoded.
 */

/** A decoded answer, with the rcode dns-packet sets but its types leave out. */
export type DnsResponse = packet.DecodedPacket & { rcode?: string };

const TYPE_CODES: Record<DnsRecordType, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  CAA: 257,
};
const CLASS_IN = 1;
const HEADER_BYTES = 12;
const QR = 0x80;
const OPCODE = 0x78;

/** A query for `name` and `type` with id 0 (header, then the question), recursion desired. */
export function questionTemplate(name: string, type: DnsRecordType): Buffer {
  // The registry admits letters, digits, '-' and '_' in labels of 1–63 bytes: one byte a character.
  const labels = name.split('.');
  const template = Buffer.alloc(HEADER_BYTES + name.length + 2 + 4);
  template.writeUInt16BE(packet.RECURSION_DESIRED, 2);
  template.writeUInt16BE(1, 4);
  let at = HEADER_BYTES;
  for (const label of labels) {
    template[at] = label.length;
    template.write(label, at + 1, 'latin1');
    at += label.length + 1;
  }
  template[at] = 0;
  template.writeUInt16BE(TYPE_CODES[type], at + 1);
  template.writeUInt16BE(CLASS_IN, at + 3);
  return template;
}

/** The template with `id`, ready to send. */
export function queryWithId(template: Buffer, id: number): Buffer {
  const query = Buffer.allocUnsafe(template.length);
  template.copy(query);
  query.writeUInt16BE(id, 0);
  return query;
}

/**
 * The response to exactly this question, decoded, or null: not a response (QR), another opcode,
 * not one question, or another name (compared without regard to ASCII case), type or class. The id
 * and the sender are the caller's to check.
 */
export function readResponse(message: Buffer, template: Buffer): DnsResponse | null {
  if (message.length < template.length) return null;
  const flags = message[2] as number;
  if ((flags & QR) === 0 || (flags & OPCODE) !== 0 || message.readUInt16BE(4) !== 1) return null;
  const typeAt = template.length - 4;
  for (let at = HEADER_BYTES; at < typeAt; at += 1) {
    if (foldCase(message[at] as number) !== foldCase(template[at] as number)) return null;
  }
  if (message.readUInt32BE(typeAt) !== template.readUInt32BE(typeAt)) return null;
  try {
    return packet.decode(message) as DnsResponse;
  } catch {
    return null;
  }
}

/** ASCII letters to lower case; a label's length byte (≤ 63) is never a letter. */
function foldCase(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}
