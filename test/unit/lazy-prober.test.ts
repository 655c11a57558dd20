import { describe, expect, it } from 'vitest';
import { lazyProber } from '../../src/probe/lazy-prober.js';
import type { ProbeResult, Prober } from '../../src/probe/prober.js';
import type { ProbeTarget } from '../../src/probe/target.js';

const options = { userAgent: 'test' };
const target = { url: 'grpc://127.0.0.1:1', timeoutMs: 1_000 } as ProbeTarget;
const passed: ProbeResult = {
  ok: true,
  degraded: false,
  latencyMs: 1,
  httpStatus: null,
  reason: null,
  message: null,
  certificateExpiresAt: null,
};

describe('lazyProber', () => {
  it('loads its module at the first check, once, and closes what it loaded', async () => {
    let loads = 0;
    let closed = 0;
    const inner: Prober<ProbeTarget> = {
      probe: async () => passed,
      close: async () => {
        closed++;
      },
    };
    const prober = lazyProber(async () => {
      loads++;
      return () => inner;
    }, options);
    expect(loads).toBe(0);
    const results = await Promise.all([prober.probe(target), prober.probe(target)]);
    expect(results).toEqual([passed, passed]);
    await prober.probe(target);
    expect(loads).toBe(1);
    await prober.close();
    expect(closed).toBe(1);
  });

  it('never loads when no check of its kind ran', async () => {
    let loads = 0;
    const prober = lazyProber(async () => {
      loads++;
      throw new Error('not expected');
    }, options);
    await prober.close();
    expect(loads).toBe(0);
  });

  it('fails the check, without throwing, when the module cannot be loaded', async () => {
    const prober = lazyProber(async () => {
      throw new Error('Cannot find package');
    }, options);
    const result = await prober.probe(target);
    expect(result).toMatchObject({ ok: false, reason: 'NETWORK' });
    expect(result.message).toContain('Cannot find package');
    await prober.close();
  });
});
