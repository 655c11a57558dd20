import type { ConnectPolicy } from '../policy/target-policy.js';
import type { AssertionSource } from './assert/assertion.js';
import type { HttpProberOptions } from './http/http-prober.js';
import type { Prober } from './prober.js';
import type { ProbeTarget } from './target.js';

/** Settings shared by every kind's prober (the HTTP ones are the superset). */
export type ProberOptions = HttpProberOptions & { policy?: ConnectPolicy };

/** Option groups of a service that belong to some kinds only. */
export type KindOption = 'http' | 'tcp' | 'tls' | 'dns' | 'heartbeat';

/** One kind of check: its url schemes, its own url rules, the options it takes, its prober. */
export interface KindModule {
  /** The url schemes (without ':') that select this kind (none: a kind without a url, chosen by `kind`). */
  readonly schemes: readonly string[];
  /** Example url for messages. */
  readonly example: string;
  /** The option groups this kind reads; giving another kind's options is a validation error. */
  readonly options: readonly KindOption[];
  /** What this kind's assertions may read; an assertion on another source is a validation error. */
  readonly assertionSources: readonly AssertionSource[];
  /** Rules of this kind's url beyond its scheme: null, or what is wrong (for the field `url`). */
  checkUrl(url: URL): string | null;
  createProber(options: ProberOptions): Prober<ProbeTarget>;
}
