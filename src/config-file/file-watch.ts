import { type FSWatcher, watch as watchFs } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { type ConfigAsCode, formatPlan } from './config-as-code.js';

/** Quiet time after the last change event before the file is read (editors write in several steps). */
export const CONFIG_FILE_DEBOUNCE_MS = 200;

export interface ConfigFileWatch {
  /** Applies the file now and on every change from then on. */
  start(): void;
  stop(): Promise<void>;
  /** Resolves when no apply is running or due (tests). */
  settled(): Promise<void>;
}

/**
 * CONFIG_FILE: applied at start-up and again whenever it changes (the directory is watched, so a
 * file replaced by rename, as editors and `kubectl` config maps do, is seen too), with prune: what
 * the file managed and no longer names is deleted. An invalid file changes nothing: the running
 * config stays, and every problem is logged with its line.
 */
export function createConfigFileWatch(options: {
  file: string;
  configAsCode: ConfigAsCode;
  logger: Logger;
  debounceMs?: number;
}): ConfigFileWatch {
  const log = options.logger.child({ component: 'config-file', file: options.file });
  const file = path.resolve(options.file);
  const format = /\.json$/i.test(file) ? 'JSON' : 'YAML';
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const applyOnce = async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      log.error({ err }, 'config file unreadable: keeping the running config');
      return;
    }
    const result = await options.configAsCode.applyConfig(text, format, false, true, { source: 'file' });
    if (!result.ok) {
      for (const problem of result.problems) {
        log.error({ path: problem.path, line: problem.line, problem: problem.message }, 'config file problem');
      }
      log.error({ problems: result.problems.length }, 'config file invalid: keeping the running config');
      return;
    }
    const changed = result.plan.changes.filter((change) => change.action !== 'UNCHANGED').length;
    log.info({ changed, plan: formatPlan(result.plan.changes) }, 'config file applied');
  };
  const apply = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = applyOnce()
      .catch((err) => log.error({ err }, 'config file apply failed: keeping the running config'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          apply();
        }
      });
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      apply();
    }, options.debounceMs ?? CONFIG_FILE_DEBOUNCE_MS);
  };

  return {
    start() {
      apply();
      try {
        watcher = watchFs(path.dirname(file), (_event, name) => {
          if (name === null || name === path.basename(file)) schedule();
        });
        watcher.on('error', (err) => log.error({ err }, 'config file watch failed'));
      } catch (err) {
        log.error({ err }, 'config file watch failed: changes are not applied until a restart');
      }
    },
    async stop() {
      stopped = true;
      watcher?.close();
      if (timer) clearTimeout(timer);
      await running;
    },
    async settled() {
      while (running || timer || again) await (running ?? new Promise((resolve) => setTimeout(resolve, 20)));
    },
  };
}
