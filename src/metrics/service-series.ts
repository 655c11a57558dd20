import { SERVICE_STATUSES, type ServiceStatus } from '../checks/service-state.js';

/**
 * How much of each service /metrics shows. `full`: up, the status state set, a latency histogram,
 * checks by outcome and certificate expiry, per service (about 2 KB a service). `compact`: up,
 * the current status only and certificate expiry per service (about 150 bytes a service), with
 * the latency histogram and the checks by outcome summed over all services.
 */
export const SERVICE_METRICS_DETAIL = ['full', 'compact'] as const;
export type ServiceMetricsDetail = (typeof SERVICE_METRICS_DETAIL)[number];

export const CHECK_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** Services rendered between two yields to the event loop: one slice takes a few milliseconds. */
const SERVICES_PER_SLICE = 500;

interface Series {
  /** `service="<escaped name>"`, built once. */
  label: string;
  status: ServiceStatus;
  /** Checks by outcome, in the order first seen. */
  outcomes: Map<string, number>;
  /** Observations per bucket (not cumulative); the last slot is above the largest bucket. */
  buckets: Float64Array;
  sum: number;
  count: number;
  certificateExpiry: number | null;
}

/** Writes a piece of the exposition; resolves when the reader is ready for more. */
export type ExpositionWriter = (chunk: string) => void | Promise<void>;

/**
 * The per-service families of /metrics, kept in plain arrays and written as text directly: with
 * prom-client, 10,000 services took 0.4–0.7 s of blocked event loop per scrape (label maps,
 * hashing, one big string). Here a check costs a few additions, and a scrape is written in slices
 * of 500 services with a yield between them, so checks keep their schedule during a scrape.
 */
export interface ServiceSeries {
  readonly detail: ServiceMetricsDetail;
  define(serviceId: string, name: string, status: ServiceStatus): void;
  remove(serviceId: string): void;
  setStatus(serviceId: string, status: ServiceStatus): void;
  observe(serviceId: string, seconds: number, outcome: string): void;
  setCertificateExpiry(serviceId: string, unixSeconds: number): void;
  /** Checks counted so far, over every service, by outcome. */
  outcomeTotals(): ReadonlyMap<string, number>;
  render(write: ExpositionWriter): Promise<void>;
  readonly size: number;
}

export function createServiceSeries(detail: ServiceMetricsDetail = 'full'): ServiceSeries {
  const series = new Map<string, Series>();
  // Summed over every service (what `compact` shows, and a removed service's counts stay in them).
  const totals = { outcomes: new Map<string, number>(), buckets: new Float64Array(bucketSlots()), sum: 0, count: 0 };

  const families = detail === 'full' ? fullFamilies(series) : compactFamilies(series, totals);
  return {
    detail,
    define(serviceId, name, status) {
      const existing = series.get(serviceId);
      const label = `service="${escapeLabel(name)}"`;
      if (existing && existing.label === label) {
        existing.status = status;
        return;
      }
      // New, or renamed: a renamed service's series start again under the new name.
      series.set(serviceId, {
        label,
        status,
        outcomes: new Map(),
        buckets: new Float64Array(bucketSlots()),
        sum: 0,
        count: 0,
        certificateExpiry: null,
      });
    },
    remove: (serviceId) => void series.delete(serviceId),
    setStatus(serviceId, status) {
      const s = series.get(serviceId);
      if (s) s.status = status;
    },
    observe(serviceId, seconds, outcome) {
      const s = series.get(serviceId);
      if (!s) return;
      const slot = bucketOf(seconds);
      s.buckets[slot]! += 1;
      s.sum += seconds;
      s.count += 1;
      s.outcomes.set(outcome, (s.outcomes.get(outcome) ?? 0) + 1);
      totals.buckets[slot]! += 1;
      totals.sum += seconds;
      totals.count += 1;
      totals.outcomes.set(outcome, (totals.outcomes.get(outcome) ?? 0) + 1);
    },
    setCertificateExpiry(serviceId, unixSeconds) {
      const s = series.get(serviceId);
      if (s) s.certificateExpiry = unixSeconds;
    },
    outcomeTotals: () => totals.outcomes,
    async render(write) {
      for (const family of families) {
        await write(`# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`);
        await family.write(write);
      }
    },
    get size() {
      return series.size;
    },
  };
}

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  write(write: ExpositionWriter): Promise<void>;
}

const HELP = {
  up: '1 while the service is UP or DEGRADED, 0 otherwise.',
  status: 'Current status of each service as a state set: exactly one series per service is 1.',
  compactStatus:
    'Current status of each service: one series per service, the status it is in (METRICS_PER_SERVICE=compact).',
  duration: 'Wall time of each check, from the start of the request to the verdict.',
  compactDuration: 'Wall time of each check, over all services (METRICS_PER_SERVICE=compact).',
  checks: 'Checks by outcome: success, degraded, or the failure reason in lower case.',
  compactChecks: 'Checks by outcome over all services: success, degraded, or the failure reason in lower case.',
  certificate: "Expiry of the target's TLS certificate, as a Unix timestamp.",
  maintenance: '1 while a maintenance window is in force for the service, 0 otherwise.',
};

const isUp = (status: ServiceStatus) => (status === 'UP' || status === 'DEGRADED' ? 1 : 0);

function fullFamilies(series: Map<string, Series>): Family[] {
  const each = perService(series);
  return [
    { name: 'statuschecker_service_up', help: HELP.up, type: 'gauge', write: each((s) => upLine(s)) },
    {
      name: 'statuschecker_service_status',
      help: HELP.status,
      type: 'gauge',
      write: each((s) =>
        SERVICE_STATUSES.map(
          (status) => `statuschecker_service_status{${s.label},status="${status}"} ${s.status === status ? 1 : 0}\n`,
        ).join(''),
      ),
    },
    {
      name: 'statuschecker_check_duration_seconds',
      help: HELP.duration,
      type: 'histogram',
      write: each((s) => histogramLines('statuschecker_check_duration_seconds', `${s.label},`, s)),
    },
    {
      name: 'statuschecker_checks_total',
      help: HELP.checks,
      type: 'counter',
      write: each((s) => {
        let out = '';
        for (const [outcome, n] of s.outcomes)
          out += `statuschecker_checks_total{${s.label},outcome="${outcome}"} ${n}\n`;
        return out;
      }),
    },
    certificateFamily(each),
    maintenanceFamily(each),
  ];
}

function compactFamilies(
  series: Map<string, Series>,
  totals: { outcomes: Map<string, number>; buckets: Float64Array; sum: number; count: number },
): Family[] {
  const each = perService(series);
  return [
    { name: 'statuschecker_service_up', help: HELP.up, type: 'gauge', write: each((s) => upLine(s)) },
    {
      name: 'statuschecker_service_status',
      help: HELP.compactStatus,
      type: 'gauge',
      write: each((s) => `statuschecker_service_status{${s.label},status="${s.status}"} 1\n`),
    },
    {
      name: 'statuschecker_check_duration_seconds',
      help: HELP.compactDuration,
      type: 'histogram',
      write: async (write) => write(histogramLines('statuschecker_check_duration_seconds', '', totals)),
    },
    {
      name: 'statuschecker_checks_total',
      help: HELP.compactChecks,
      type: 'counter',
      write: async (write) => {
        let out = '';
        for (const [outcome, n] of totals.outcomes) out += `statuschecker_checks_total{outcome="${outcome}"} ${n}\n`;
        await write(out);
      },
    },
    certificateFamily(each),
    maintenanceFamily(each),
  ];
}

function maintenanceFamily(each: ReturnType<typeof perService>): Family {
  return {
    name: 'statuschecker_maintenance_active',
    help: HELP.maintenance,
    type: 'gauge',
    write: each((s) => `statuschecker_maintenance_active{${s.label}} ${s.status === 'MAINTENANCE' ? 1 : 0}\n`),
  };
}

function certificateFamily(each: ReturnType<typeof perService>): Family {
  return {
    name: 'statuschecker_certificate_expiry_timestamp_seconds',
    help: HELP.certificate,
    type: 'gauge',
    write: each((s) =>
      s.certificateExpiry === null
        ? ''
        : `statuschecker_certificate_expiry_timestamp_seconds{${s.label}} ${s.certificateExpiry}\n`,
    ),
  };
}

const upLine = (s: Series) => `statuschecker_service_up{${s.label}} ${isUp(s.status)}\n`;

/** Writes `line(s)` for every service, a slice at a time, yielding to the event loop between slices. */
function perService(series: Map<string, Series>) {
  return (line: (s: Series) => string) =>
    async (write: ExpositionWriter): Promise<void> => {
      let out = '';
      let inSlice = 0;
      for (const s of series.values()) {
        out += line(s);
        if (++inSlice === SERVICES_PER_SLICE) {
          await write(out);
          out = '';
          inSlice = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      if (out) await write(out);
    };
}

function histogramLines(
  name: string,
  labelPrefix: string,
  h: { buckets: Float64Array; sum: number; count: number },
): string {
  let out = '';
  let cumulative = 0;
  for (const [i, le] of CHECK_DURATION_BUCKETS.entries()) {
    cumulative += h.buckets[i]!;
    out += `${name}_bucket{${labelPrefix}le="${le}"} ${cumulative}\n`;
  }
  out += `${name}_bucket{${labelPrefix}le="+Inf"} ${h.count}\n`;
  const labels = labelPrefix ? `{${labelPrefix.slice(0, -1)}}` : '';
  return `${out}${name}_sum${labels} ${h.sum}\n${name}_count${labels} ${h.count}\n`;
}

const bucketSlots = () => CHECK_DURATION_BUCKETS.length + 1;

function bucketOf(seconds: number): number {
  for (let i = 0; i < CHECK_DURATION_BUCKETS.length; i++) if (seconds <= CHECK_DURATION_BUCKETS[i]!) return i;
  return CHECK_DURATION_BUCKETS.length;
}

/** Prometheus text format: backslash, double quote and line feed are escaped in label values. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
