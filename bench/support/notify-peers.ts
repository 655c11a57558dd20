import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface PeerStats {
  webhookRequests: number;
  webhookDistinct: number;
  lastWebhookAt: number;
  mails: number;
  lastMailAt: number;
}

export interface NotifyPeers {
  readonly ports: { target: number; webhook: number; smtp: number };
  setStatus(status: number): Promise<void>;
  reset(): Promise<void>;
  stats(): Promise<PeerStats>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./notify-peers-server.ts', import.meta.url));

/** Forks bench/support/notify-peers-server.ts and waits for its ports. */
export async function startNotifyPeers(): Promise<NotifyPeers> {
  const child: ChildProcess = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ports = await new Promise<NotifyPeers['ports']>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`peers exited with ${code}`)));
    child.on('message', (m: { type: string; ports?: NotifyPeers['ports'] }) => {
      if (m.type === 'listening') resolve(m.ports!);
    });
  });
  child.removeAllListeners('exit');
  const ask = <T>(message: object, answer: string) =>
    new Promise<T>((resolve) => {
      const onMessage = (m: { type: string } & T) => {
        if (m.type !== answer) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.send(message);
    });
  return {
    ports,
    setStatus: (status) => ask({ type: 'status', status }, 'status-set').then(() => undefined),
    reset: () => ask({ type: 'reset' }, 'reset-done').then(() => undefined),
    stats: () => ask<PeerStats>({ type: 'stats' }, 'stats'),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}
