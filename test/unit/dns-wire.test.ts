import * as packet from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { DNS_RECORD_TYPES } from '../../src/probe/dns/options.js';
import { queryWithId, questionTemplate, readResponse } from '../../src/probe/dns/wire.js';

const response = (changes: Partial<packet.Packet> & { question?: Partial<packet.Question> } = {}): Buffer => {
  const { question, ...rest } = changes;
  return packet.encode({
    type: 'response',
    id: 4321,
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
    questions: [{ type: 'A', name: 'ok.test', class: 'IN', ...question }],
    answers: [{ type: 'A', name: 'ok.test', ttl: 60, data: '192.0.2.10' }],
    ...rest,
  });
};

describe('the DNS question on the wire', () => {
  it.each(DNS_RECORD_TYPES)('encodes a %s query as dns-packet does', (type) => {
    const ours = queryWithId(questionTemplate('_sip._tcp.Example-1.test', type), 0xbeef);
    const theirs = packet.encode({
      type: 'query',
      id: 0xbeef,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type, name: '_sip._tcp.Example-1.test', class: 'IN' }],
    });
    expect(ours.equals(theirs)).toBe(true);
  });

  it('leaves the template as it was when an id is set', () => {
    const template = questionTemplate('ok.test', 'A');
    const copy = Buffer.from(template);
    queryWithId(template, 0xffff);
    expect(template.equals(copy)).toBe(true);
  });

  const template = questionTemplate('ok.test', 'A');
  it('reads the response to its question, the name compared without regard to case', () => {
    expect(readResponse(response(), template)).toMatchObject({
      id: 4321,
      rcode: 'NOERROR',
      answers: [{ data: '192.0.2.10' }],
    });
    expect(readResponse(response({ question: { name: 'OK.Test' } }), template)).not.toBeNull();
  });

  it.each<[string, Buffer]>([
    ['a query, not a response', response({ type: 'query' })],
    ['another name', response({ question: { name: 'ok.tesu' } })],
    ['a longer name', response({ question: { name: 'ok.test.evil' } })],
    ['another type', response({ question: { type: 'AAAA' } })],
    ['another class', response({ question: { class: 'CH' } })],
    [
      'two questions',
      packet.encode({
        type: 'response',
        id: 1,
        questions: [
          { type: 'A', name: 'ok.test' },
          { type: 'A', name: 'ok.test' },
        ],
      }),
    ],
    ['no question', packet.encode({ type: 'response', id: 1, questions: [] })],
    [
      'another opcode',
      packet.encode({
        type: 'response',
        id: 1,
        flags: 4 << 11, // opcode NOTIFY
        questions: [{ type: 'A', name: 'ok.test' }],
      } as packet.Packet),
    ],
    ['a cut-off answer', response().subarray(0, 30)],
    ['bytes that are no DNS message', Buffer.from('not dns at all, not at all')],
  ])('ignores %s', (_what, message) => {
    expect(readResponse(message, template)).toBeNull();
  });
});
