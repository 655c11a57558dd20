import type { Answer } from 'dns-packet';

/** One answer record as text, as a person (and a DNS_ANSWER assertion) reads it. */
export function answerText(answer: Answer): string {
  const data = (answer as { data: unknown }).data;
  switch (answer.type) {
    case 'MX': {
      const mx = data as { preference?: number; exchange: string };
      return `${mx.preference ?? 0} ${mx.exchange}`;
    }
    case 'SRV': {
      const srv = data as { priority?: number; weight?: number; port: number; target: string };
      return `${srv.priority ?? 0} ${srv.weight ?? 0} ${srv.port} ${srv.target}`;
    }
    case 'SOA': {
      const soa = data as { mname: string; rname: string; serial?: number };
      return `${soa.mname} ${soa.rname} ${soa.serial ?? 0}`;
    }
    case 'CAA': {
      const caa = data as { flags?: number; tag: string; value: string };
      return `${caa.flags ?? 0} ${caa.tag} "${caa.value}"`;
    }
    case 'TXT': {
      const parts = Array.isArray(data) ? data : [data];
      return parts.map((part) => (Buffer.isBuffer(part) ? part.toString('utf8') : String(part))).join('');
    }
    default:
      return Buffer.isBuffer(data) ? data.toString('hex') : String(data);
  }
}
