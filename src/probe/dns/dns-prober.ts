import dns from 'node:dns';
import net from 'node:net';
import { asserts } from '../assert/assertion.js';
import { quote } from '../http/target.js';
import { CheckFailure } from '../net/check-run.js';
import { type NetOptions, resolveAllowed } from '../net/connect.js';
import { netProber } from '../net/net-prober.js';
import type { Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';
import { answerText } from './answers.js';
import { askResolver } from './exchange.js';
import { DNS_PORT, type DnsQuery, type DnsRecordType, parseDnsUrl } from './options.js';
import { createDnsSockets } from './udp-sockets.js';
import { questionTemplate } from './wire.js';

/** Answers shown in a message at most; the rest are counted. */
const SHOWN_ANSWERS = 5;
/** Parsed urls and their questions kept at most (emptied when full: services change their url rarely). */
const PARSED_KEPT = 10_000;

interface Parsed extends DnsQuery {
  /** The question on the wire, from `questionTemplate`. */
  question: Buffer;
}

/**
 * dns://[resolver[:port]]/name — asks the resolver (the system's first one when none is given)
 * for `dns.recordType` records of the name, over UDP, again over TCP when the answer is truncated.
 * Passes on NOERROR with at least one record of the type, unless STATUS (the rcode) or DNS_ANSWER
 * assertions say what is expected instead. The prober's checks share its UDP sockets; close() closes them.
 */
export function createDnsProber(options: NetOptions): Prober<ProbeTarget> {
  const sockets = createDnsSockets();
  const parsed = new Map<string, Parsed>();
  const parse = (url: string, type: DnsRecordType): Parsed => {
    const key = `${type} ${url}`;
    let known = parsed.get(key);
    if (known === undefined) {
      const query = parseDnsUrl(new URL(url));
      known = { ...query, question: questionTemplate(query.name, type) };
      if (parsed.size >= PARSED_KEPT) parsed.clear();
      parsed.set(key, known);
    }
    return known;
  };
  const prober = netProber(async (target, run, reached) => {
    const type = target.dns?.recordType ?? 'A';
    const query = parse(target.url, type);
    // The operator's resolver is a target like any other; the system's is the host's own configuration.
    const resolver = query.resolver ?? systemResolver();
    reached(resolver.host);
    const address =
      query.resolver === null
        ? { address: resolver.host, family: net.isIP(resolver.host) === 6 ? (6 as const) : (4 as const) }
        : await resolveAllowed(resolver.host, options, run);
    const { response, transport } = await askResolver(
      sockets,
      { ...address, host: resolver.host, port: resolver.port },
      query.question,
      options,
      run,
    );
    const rcode = response.rcode ?? 'NOERROR';
    const answers = (response.answers ?? []).filter((answer) => answer.type === type).map(answerText);
    if (run.observing) Object.assign(run.observed, { status: rcode, dnsAnswers: answers });
    // A STATUS assertion judges the rcode instead, a DNS_ANSWER assertion whether records are needed.
    if (rcode !== 'NOERROR' && !asserts(target.assertions, 'STATUS')) {
      throw new CheckFailure('DNS_RCODE', `${rcode} for ${query.name} ${type}`);
    }
    if (rcode !== 'NOERROR') return { message: `${rcode} for ${query.name} ${type}` };
    if (answers.length === 0) {
      if (!asserts(target.assertions, 'DNS_ANSWER')) {
        throw new CheckFailure('DNS_RCODE', `NOERROR but no ${type} record for ${query.name}`);
      }
      return { message: `NOERROR, no ${type} record for ${query.name}` };
    }
    const shown = answers.slice(0, SHOWN_ANSWERS).map((text) => quote(text, 80).slice(1, -1));
    const more = answers.length > SHOWN_ANSWERS ? ` and ${answers.length - SHOWN_ANSWERS} more` : '';
    const via = transport === 'tcp' ? ' (over TCP: the UDP answer was truncated)' : '';
    return { message: `${type} ${shown.join(', ')}${more}${via}` };
  });
  return {
    probe: prober.probe,
    async close() {
      await prober.close();
      sockets.close();
    },
  };
}

/** The first resolver of the system's configuration (/etc/resolv.conf), as Node reads it. */
function systemResolver(): { host: string; port: number } {
  const first = dns.getServers()[0];
  if (first === undefined) throw new CheckFailure('DNS', 'the system has no DNS resolver configured');
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(first);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] ? Number(bracketed[2]) : DNS_PORT };
  if (net.isIP(first) === 6) return { host: first, port: DNS_PORT };
  const [hostPart, portPart] = first.split(':');
  return { host: hostPart as string, port: portPart ? Number(portPart) : DNS_PORT };
}
