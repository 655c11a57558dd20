import type { Counter, Histogram } from 'prom-client';
import type { MonitorSink } from '../checks/monitor-sink.js';
import { SERVICE_STATUSES, type ServiceStatus } from '../checks/service-state.js';
import type { StatusCache } from '../checks/status-cache.js';
import type { Metrics } from './metrics.js';

interface ServiceSeries {
  name: string;
  duration: Histogram.Internal<'service'>;
  outcomes: Map<string, Counter.Internal>;
}

/**
 * Keeps the per-service series in step with the monitor. Label children are created once per
 * service and reused, so a check costs a few additions, not label hashing. A removed or renamed
 * service's series are removed, so they vanish from the exposition.
 */
export function createCheckMetrics(metrics: Metrics, cache: StatusCache): MonitorSink {
  const series = new Map<string, ServiceSeries>();

  const setStatus = (name: string, status: ServiceStatus) => {
    for (const s of SERVICE_STATUSES) metrics.serviceStatus.set({ service: name, status: s }, s === status ? 1 : 0);
    metrics.serviceUp.set({ service: name }, status === 'UP' || status === 'DEGRADED' ? 1 : 0);
  };

  const removeSeries = (name: string) => {
    metrics.serviceUp.remove({ service: name });
    for (const s of SERVICE_STATUSES) metrics.serviceStatus.remove({ service: name, status: s });
    metrics.checkDuration.remove({ service: name });
    metrics.certificateExpiry.remove({ service: name });
    const existing = [...series.values()].find((s) => s.name === name);
    for (const outcome of existing?.outcomes.keys() ?? []) metrics.checksTotal.remove({ service: name, outcome });
  };

  return {
    serviceDefined(service, previous) {
      if (previous && previous.name !== service.name) {
        removeSeries(previous.name);
        series.delete(service.id);
      }
      if (!series.has(service.id)) {
        series.set(service.id, {
          name: service.name,
          duration: metrics.checkDuration.labels({ service: service.name }),
          outcomes: new Map(),
        });
      }
      setStatus(service.name, cache.get(service.id)?.status ?? (service.paused ? 'PAUSED' : 'UNKNOWN'));
    },

    serviceRemoved(service) {
      removeSeries(service.name);
      series.delete(service.id);
    },

    checkCompleted({ service, result }) {
      const s = series.get(service.id);
      if (!s) return;
      s.duration.observe(result.latencyMs / 1000);
      const outcome = result.ok
        ? result.degraded
          ? 'degraded'
          : 'success'
        : (result.reason ?? 'network').toLowerCase();
      let counter = s.outcomes.get(outcome);
      if (!counter) {
        counter = metrics.checksTotal.labels({ service: s.name, outcome });
        s.outcomes.set(outcome, counter);
      }
      counter.inc();
      if (result.certificateExpiresAt) {
        metrics.certificateExpiry.set({ service: s.name }, Math.floor(result.certificateExpiresAt.getTime() / 1000));
      }
    },

    statusChanged({ service, transition }) {
      metrics.statusChangesTotal.inc({ status: transition.current });
      const s = series.get(service.id);
      if (s) setStatus(s.name, transition.current);
    },
  };
}
