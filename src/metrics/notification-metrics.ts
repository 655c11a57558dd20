import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The notification metrics, on the process registry; the queue depth is read at scrape time. */
export function createNotificationMetrics(registry: Registry, queueDepth: () => Promise<number>) {
  const registers = [registry];
  new Gauge({
    name: 'statuschecker_notification_queue_depth',
    help: 'Notification deliveries waiting to be sent (PENDING, in the database: every replica reports the same queue).',
    registers,
    async collect() {
      this.set(await queueDepth().catch(() => Number.NaN));
    },
  });
  const total = new Counter({
    name: 'statuschecker_notifications_total',
    help: 'Notification attempts by channel kind and outcome: sent, retry (failed, tried again later) or failed (given up).',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const delivery = new Histogram({
    name: 'statuschecker_notification_delivery_seconds',
    help: 'From the transition (or the notice) to the receiver accepting its notification, retries and group windows included.',
    labelNames: ['kind'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
    registers,
  });
  return {
    attempted(kind: string, outcome: 'sent' | 'retry' | 'failed', secondsSinceTransition: number) {
      total.inc({ kind, outcome });
      if (outcome === 'sent') delivery.observe({ kind }, secondsSinceTransition);
    },
  };
}
