import type { CheckKind, KindTarget } from '../../src/probe/kinds.js';

/** A probe target of `kind` with every option at its default; each test overrides what it is about. */
export function kindTarget(kind: CheckKind, url: string, overrides: Partial<KindTarget> = {}): KindTarget {
  return {
    kind,
    url,
    method: 'GET',
    headers: [],
    timeoutMs: 2_000,
    expectedStatus: [],
    expectedStatusText: '',
    bodyContains: null,
    degradedAboveMs: null,
    tcp: null,
    tls: null,
    dns: null,
    heartbeat: null,
    ...overrides,
  };
}
