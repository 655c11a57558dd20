import type { ProberOptions } from './kind.js';
import type { ProbeResult, Prober } from './prober.js';
import type { ProbeTarget } from './target.js';

/**
 * A kind's prober whose module (and the libraries it needs: gRPC and protobuf, a DNS codec, the
 * PostgreSQL driver) is imported at the kind's first check instead of at start-up: a deployment
 * that never checks that kind never loads it (bench/README.md, start-up). The import happens
 * before the inner prober starts its clock, so it adds nothing to the first check's latency.
 */
export function lazyProber(
  load: () => Promise<(options: ProberOptions) => Prober<ProbeTarget>>,
  options: ProberOptions,
): Prober<ProbeTarget> {
  let loaded: Promise<Prober<ProbeTarget>> | undefined;
  return {
    probe(target, signal) {
      loaded ??= load().then((create) => create(options));
      return loaded.then(
        (prober) => prober.probe(target, signal),
        (err: unknown) => notLoaded(err),
      );
    },
    async close() {
      const prober = await loaded?.catch(() => undefined);
      await prober?.close();
    },
  };
}

/** probe() never throws: a module that cannot be loaded (a broken install) fails the check, saying so. */
function notLoaded(err: unknown): ProbeResult {
  return {
    ok: false,
    degraded: false,
    latencyMs: 0,
    httpStatus: null,
    reason: 'NETWORK',
    message: `the prober of this kind could not be loaded: ${(err as Error)?.message ?? String(err)}`,
    certificateExpiresAt: null,
  };
}
