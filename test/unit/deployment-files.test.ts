import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, SETTINGS } from '../../src/config.js';

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

/** docker-compose.yml cannot run here (no Docker engine); these checks keep it true to the code. */
describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Redis, two replicas and Prometheus', async () => {
    const compose = parse(await read('docker-compose.yml'), { merge: true }) as { services: Record<string, unknown> };
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'prometheus', 'redis', 'replica-1', 'replica-2']);
  });

  it.each(['replica-1', 'replica-2'])(
    'gives %s only settings the server knows, and a valid configuration',
    async (name) => {
      const compose = parse(await read('docker-compose.yml'), { merge: true }) as {
        services: Record<string, { environment: Record<string, string>; build?: string }>;
      };
      const service = compose.services[name]!;
      expect(service.build).toBe('.');
      const env = { ...service.environment, API_TOKENS: 'a-token-of-sixteen-chars', HOST: '0.0.0.0' };
      for (const key of Object.keys(service.environment)) expect(SETTINGS, key).toContain(key);
      const loaded = loadConfig(env);
      expect(loaded.ok ? [] : loaded.problems).toEqual([]);
      if (loaded.ok) {
        expect(loaded.config.database.url).toMatch(/@postgres:5432\//);
        expect(loaded.config.redis.url).toBe('redis://redis:6379');
      }
    },
  );

  it('has Prometheus scrape both replicas on the port the image exposes', async () => {
    const prometheus = parse(await read('deploy/prometheus.yml')) as {
      scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prometheus.scrape_configs[0]!;
    expect(job.metrics_path).toBe('/metrics');
    expect(job.static_configs[0]!.targets).toEqual(['replica-1:4000', 'replica-2:4000']);
    expect(await read('Dockerfile')).toMatch(/EXPOSE 4000/);
  });
});

describe('the README', () => {
  it('documents every setting the server reads', async () => {
    const readme = await read('README.md');
    for (const setting of SETTINGS) expect(readme, setting).toContain(`\`${setting}\``);
  });
});
