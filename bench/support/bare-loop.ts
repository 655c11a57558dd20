import http from 'node:http';
import type { Samples } from './stats.js';

export interface BareLoop {
  /** Responses read to the end (status 200), and requests that failed. */
  readonly completed: number;
  readonly failed: number;
  stop(): void;
}

/** Driver tick: every due request is issued on the next tick, so lag includes up to this much quantisation. */
export const BARE_TICK_MS = 10;

/**
 * The baseline: node:http with a keep-alive Agent, `urls.length` requests per second, each URL
 * once a second at its own random phase (like the scheduler's spread), issued by one setInterval
 * driver. A response is read to its end so its socket goes back to the pool. No deadline, no
 * judging, no bookkeeping: the least a keep-alive checker could do.
 */
export function startBareLoop(urls: string[], lag: Samples, recording: () => boolean): BareLoop {
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
  const targets = urls.map((u) => {
    const url = new URL(u);
    return { host: url.hostname, port: Number(url.port), path: `${url.pathname}${url.search}`, agent };
  });
  const order = targets.map((_, i) => i);
  const phase = new Float64Array(targets.length).map(() => Math.random() * 1000);
  order.sort((a, b) => phase[a]! - phase[b]!);

  let completed = 0;
  let failed = 0;
  const t0 = performance.now();
  let round = 0;
  let cursor = 0;

  const issue = (i: number) => {
    const req = http.get(targets[i]!, (res) => {
      const ok = res.statusCode === 200;
      res.on('data', () => {});
      res.on('end', () => {
        if (ok) completed++;
        else failed++;
      });
    });
    req.on('error', () => failed++);
  };

  const tick = () => {
    const t = performance.now();
    for (;;) {
      const i = order[cursor]!;
      const due = t0 + round * 1000 + phase[i]!;
      if (due > t) break;
      if (recording()) lag.add(t - due);
      issue(i);
      if (++cursor === order.length) {
        cursor = 0;
        round++;
      }
    }
  };
  const interval = setInterval(tick, BARE_TICK_MS);

  return {
    get completed() {
      return completed;
    },
    get failed() {
      return failed;
    },
    stop() {
      clearInterval(interval);
      agent.destroy();
    },
  };
}
