import { stringify } from 'yaml';

/** The variables the realistic document refers to (secrets given as ${VAR}). */
export const CONFIG_ENV = {
  HOOK_URL: 'http://127.0.0.1:9/hooks/statuschecker-0f3a9c',
  HOOK_SECRET: 'hook-secret-7d1e52b0a4',
  SLACK_URL: 'http://127.0.0.1:9/services/T000/B000/slack-secret-path-93af',
  PG_PASSWORD: 'pg-password-c4e1aa',
  SMTP_PASSWORD: 'smtp-password-51bd',
} as const;

/** The clear values that must never appear in an export. */
export const SECRET_VALUES = [
  CONFIG_ENV.HOOK_URL,
  CONFIG_ENV.HOOK_SECRET,
  CONFIG_ENV.SLACK_URL,
  CONFIG_ENV.PG_PASSWORD,
];

type Service = Record<string, unknown>;

/**
 * A realistic configuration: `count` services of eight kinds (every one on 127.0.0.1, so nothing
 * leaves the machine even with checks running), 3 notification channels, 2 maintenance windows and a
 * status page. svc-0004 depends on svc-0005 (written after it) and svc-0002.
 */
export function realisticConfig(count = 50): {
  notificationChannels: Record<string, unknown>[];
  services: Service[];
  maintenanceWindows: Record<string, unknown>[];
  statusPages: Record<string, unknown>[];
} {
  const kinds: ((i: number) => Service)[] = [
    (i) => ({
      url: `http://127.0.0.1:9/api-${i}/health`,
      intervalSeconds: 60,
      headers: [{ name: 'accept', value: 'application/json' }],
      expectedStatus: '200-204',
      labels: ['team:payments', 'public'],
      notificationChannels: ['ops-webhook', 'team-slack'],
    }),
    (i) => ({
      url: `https://127.0.0.1:9/web-${i}`,
      bodyContains: 'ok',
      degradedAboveMs: 800,
      labels: ['public'],
      assertions: [
        { source: 'JSON', path: '$.status', operator: 'EQUALS', value: 'ok' },
        { source: 'CERTIFICATE_DAYS', operator: 'GREATER_THAN', value: '14', degrade: true },
      ],
    }),
    () => ({ url: 'tcp://127.0.0.1:5432', tcp: { send: 'PING\r\n', expect: 'PONG' }, failureThreshold: 3 }),
    () => ({ url: 'dns://127.0.0.1:53/example.test', dns: { recordType: 'MX' }, labels: ['infra'] }),
    () => ({ url: 'tls://127.0.0.1:443', tlsSkipVerify: true, intervalSeconds: 300 }),
    (i) => ({
      url: `postgres://monitor:\${PG_PASSWORD}@127.0.0.1:5432/app${i}`,
      timeoutMs: 2000,
      notificationChannels: ['oncall-email'],
    }),
    () => ({ url: 'redis://127.0.0.1:6379/0', successThreshold: 2 }),
    () => ({ url: 'ws://127.0.0.1:8080/socket', tcp: { send: 'hello' } }),
    () => ({ url: 'grpc://127.0.0.1:50051/app.Billing', labels: ['infra'] }),
    () => ({ url: 'http://127.0.0.1:9/reports', method: 'HEAD', paused: true }),
  ];
  const services = Array.from({ length: count }, (_, i) => ({
    name: `svc-${String(i).padStart(4, '0')}`,
    ...kinds[i % kinds.length]!(i),
    ...(i === 4 && count > 5 ? { dependsOn: ['svc-0005', 'svc-0002'] } : {}),
  }));
  return {
    notificationChannels: [
      {
        name: 'ops-webhook',
        kind: 'WEBHOOK',
        url: '${HOOK_URL}',
        secret: '${HOOK_SECRET}',
        events: ['DOWN', 'UP', 'DEGRADED'],
      },
      { name: 'team-slack', kind: 'SLACK', url: '${SLACK_URL}', labels: ['team:payments'], groupWindowSeconds: 30 },
      {
        name: 'oncall-email',
        kind: 'EMAIL',
        secret: '${SMTP_PASSWORD}',
        email: {
          smtpHost: '127.0.0.1',
          smtpPort: 2525,
          tls: 'none',
          username: 'alerts',
          from: 'alerts@example.test',
          to: ['oncall@example.test'],
        },
        remindEveryMinutes: 30,
      },
    ],
    services,
    maintenanceWindows: [
      {
        name: 'network-change',
        startsAt: '2027-03-01T22:00:00.000Z',
        endsAt: '2027-03-01T23:30:00.000Z',
        labels: ['infra'],
      },
      {
        name: 'sunday-db-upgrades',
        startsAt: '2026-01-04T01:00:00.000Z',
        endsAt: '2026-01-04T03:00:00.000Z',
        recurrence: 'FREQ=WEEKLY;BYDAY=SU',
        timezone: 'Europe/Paris',
        services: services.slice(0, 2).map((s) => s.name),
      },
    ],
    statusPages: [
      {
        slug: 'public',
        title: 'Example status',
        description: 'Everything we run for you',
        services: services.slice(0, 3).map((s) => s.name),
        labels: ['public'],
        historyDays: 30,
      },
    ],
  };
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/** The 1-based line of the first line of `text` containing `needle` (after line `after`). */
export function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`"${needle}" is not in the document`);
}
