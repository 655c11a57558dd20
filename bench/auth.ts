/**
 * bench:auth — the bearer-token check takes as long whichever configured token a request presents,
 * or none: the timing shows neither which token matched nor how long the configured tokens are.
 *
 *   npm run bench:auth [-- --rounds 200000 --repeat 5]
 *
 * The real authenticator (src/server/auth.ts) with eight configured tokens of different lengths.
 * Each case presents a 32-character token: the first configured token, the last, one that shares
 * all but its last character with a configured token, one that matches none. The cases take turns
 * in slices of 1,000 calls (so that a change in the machine's load hits them alike), `--rounds`
 * calls per case per repeat, and the median time per call of each case is compared with that of
 * the first (the baseline, same run): within ±10 % is PASS. Run it on a quiet machine. The presented
 * token's own length is the caller's business (it is hashed once, whatever it is), so all cases
 * present the same length. Beside it, for contrast, a naive check (the token looked up with
 * indexOf: string comparison, early exit), whose timing does show which token matched.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createAuthenticator } from '../src/server/auth.js';
import { fmt, median, table, verdict } from './support/stats.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '200000' },
    repeat: { type: 'string', default: '5' },
  },
});
const ROUNDS = Number(args.rounds);
const REPEAT = Number(args.repeat);
const TOLERANCE = 0.1;

const token = (length: number, fill: string) => fill.repeat(length).slice(0, length);
const first = token(32, 'a1');
const last = token(32, 'z9');
const tokens = [
  first,
  token(16, 'b'),
  token(64, 'c'),
  token(200, 'd'),
  token(24, 'e'),
  token(48, 'f'),
  token(100, 'g'),
  last,
];
const authenticator = createAuthenticator({ tokens, publicRead: false });
/** Without tokens made through the API, the answer is never a promise; its key says who. */
const auth = { principalOf: (header: string) => (authenticator.principalOf(header) as { key: string }).key };
const naive = {
  principalOf(header: string) {
    const index = tokens.indexOf(header.slice('Bearer '.length));
    return index >= 0 ? `token:${index}` : 'invalid';
  },
};

const cases: [string, string][] = [
  ['the first token', `Bearer ${first}`],
  ['the last token', `Bearer ${last}`],
  ['all but the last character of a token', `Bearer ${first.slice(0, -1)}x`],
  ['no token at all', `Bearer ${token(32, 'q7')}`],
];

const SLICE = 1_000;
type Check = { principalOf(header: string): string };

/** ms for one slice of calls; the answers are checked so that the calls cannot be optimised away. */
function slice(check: Check, header: string, expected: string): number {
  const started = performance.now();
  for (let i = 0; i < SLICE; i++)
    if (check.principalOf(header) !== expected) throw new Error(`unstable answer for ${header}`);
  return performance.now() - started;
}

/** ns per call of each case over `ROUNDS` calls, the cases taking turns slice by slice. */
function measure(check: Check): number[] {
  const expected = cases.map(([, header]) => check.principalOf(header));
  const totals = cases.map(() => 0);
  for (let done = 0; done < ROUNDS; done += SLICE) {
    for (const [i, [, header]] of cases.entries()) totals[i]! += slice(check, header, expected[i]!);
  }
  return totals.map((ms) => (ms * 1e6) / ROUNDS);
}

const checks = [auth, naive];
for (const check of checks) measure(check); // warm-up: JIT, caches
const samples = checks.map(() => cases.map(() => [] as number[]));
for (let r = 0; r < REPEAT; r++) {
  for (const [c, check] of checks.entries()) {
    for (const [i, ns] of measure(check).entries()) samples[c]![i]!.push(ns);
  }
}

const [real, contrast] = samples.map((perCase) => perCase.map(median)) as [number[], number[]];
const rows = cases.map(([name], i) => {
  const ratio = real[i]! / real[0]!;
  return [
    name,
    fmt.fixed(real[i]!, 0),
    fmt.fixed(ratio, 3),
    i === 0 ? 'baseline' : verdict(Math.abs(ratio - 1) <= TOLERANCE),
    fmt.fixed(contrast[i]!, 0),
    fmt.fixed(contrast[i]! / contrast[0]!, 3),
  ];
});
console.log(
  `bench:auth — ${tokens.length} configured tokens, ${fmt.int(ROUNDS)} calls per case, ${REPEAT} repeats, median ns per call\n`,
);
console.log(
  table([['case', 'ns/call', 'vs first', `within ±${TOLERANCE * 100} %`, 'naive ns/call', 'naive vs first'], ...rows]),
);
