import {
  ASSERTION_OPERATORS,
  ASSERTION_SOURCES,
  type Assertion,
  type AssertionOperator,
  type AssertionResult,
  type AssertionSource,
} from '../../probe/assert/assertion.js';
import type { CheckPhases } from '../../probe/prober.js';
import { builder } from '../builder.js';

const SOURCE_DESCRIPTIONS: Record<AssertionSource, string> = {
  STATUS:
    'HTTP status code, gRPC serving status, DNS rcode. With STATUS assertions, they decide instead of expectedStatus, SERVING or NOERROR.',
  BODY: 'Response body text (first 64 KiB), or what a TCP/WebSocket peer sent (up to tcp.expect, or its first chunk/message).',
  JSON: 'An RFC 9535 JSONPath into the JSON body (at most 64 KiB), e.g. $.checks[0].status; several matches compare as a JSON array.',
  HEADER: 'A response header, path = header name (several values joined by ", ").',
  LATENCY_MS: "The check's latency in milliseconds.",
  CERTIFICATE_DAYS: 'Whole days until the certificate expires (negative once expired).',
  DNS_ANSWER: 'The answer records of the type asked for, as text, joined by ", ".',
};

const OPERATOR_DESCRIPTIONS: Partial<Record<AssertionOperator, string>> = {
  EQUALS: 'Equal as text, or as numbers when both are numbers.',
  MATCHES: 'An RE2 regular expression (linear time), searched anywhere in the value: anchor with ^ and $.',
  LESS_THAN: 'Both numbers.',
  GREATER_THAN: 'Both numbers.',
  EXISTS: 'The value is there (takes no value).',
  NOT_EXISTS: 'The value is not there (takes no value).',
};

export const AssertionSourceEnum = builder.enumType('AssertionSource', {
  values: Object.fromEntries(
    ASSERTION_SOURCES.map((source) => [source, { description: SOURCE_DESCRIPTIONS[source] }]),
  ) as Record<AssertionSource, { description: string }>,
});

export const AssertionOperatorEnum = builder.enumType('AssertionOperator', {
  values: Object.fromEntries(
    ASSERTION_OPERATORS.map((operator) => [operator, { description: OPERATOR_DESCRIPTIONS[operator] }]),
  ) as Record<AssertionOperator, { description?: string }>,
});

export const AssertionObject = builder.objectRef<Assertion>('Assertion').implement({
  fields: (t) => ({
    source: t.expose('source', { type: AssertionSourceEnum }),
    path: t.exposeString('path', { nullable: true, description: 'JSON: the JSONPath; HEADER: the header name.' }),
    operator: t.expose('operator', { type: AssertionOperatorEnum }),
    value: t.exposeString('value', { nullable: true }),
    degrade: t.exposeBoolean('degrade', {
      description: 'A failing assertion with degrade=true makes the check DEGRADED instead of failed.',
    }),
  }),
});

export const AssertionResultObject = builder.objectRef<AssertionResult>('AssertionResult').implement({
  fields: (t) => ({
    assertion: t.expose('assertion', { type: AssertionObject }),
    ok: t.exposeBoolean('ok'),
    actual: t.exposeString('actual', { nullable: true, description: 'What was found, shortened to 200 characters.' }),
  }),
});

export const AssertionInput = builder.inputType('AssertionInput', {
  fields: (t) => ({
    source: t.field({ type: AssertionSourceEnum, required: true }),
    path: t.string({ description: 'JSON: the JSONPath (RFC 9535); HEADER: the header name; others: none.' }),
    operator: t.field({ type: AssertionOperatorEnum, required: true }),
    value: t.string({ description: 'What is compared with; none for EXISTS and NOT_EXISTS.' }),
    degrade: t.boolean({ defaultValue: false }),
  }),
});

/** At most 20 small objects: counted once, so a page of services stays within the complexity budget. */
export const ASSERTION_LIST_COMPLEXITY = { field: 1, multiplier: 1 };

export const CheckPhasesObject = builder.objectRef<CheckPhases>('CheckPhases').implement({
  description: 'Where the time of one check went (null where a phase did not happen).',
  fields: (t) => ({
    dnsMs: t.exposeFloat('dnsMs', {
      nullable: true,
      description: 'Resolving the host name (null: an address, or a reused connection).',
    }),
    connectMs: t.exposeFloat('connectMs', {
      nullable: true,
      description: 'Opening the TCP connection (null: reused).',
    }),
    tlsMs: t.exposeFloat('tlsMs', { nullable: true, description: 'The TLS handshake.' }),
    firstByteMs: t.exposeFloat('firstByteMs', {
      nullable: true,
      description: 'From the request (or the connection) to the first byte of the answer.',
    }),
    transferMs: t.exposeFloat('transferMs', {
      nullable: true,
      description: 'Reading the answer past its first byte (the body, when it is read).',
    }),
  }),
});
