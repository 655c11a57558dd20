import type { Socket } from 'node:net';
import { addPhase, type CheckPhases } from '../prober.js';

/**
 * Times a socket a library opens for us (ws, pg): connectMs from now to its 'connect', and tlsMs
 * from there to 'secureConnect' when it is a TLS socket. Listeners only: the library stays in charge.
 */
export function timeSocket(socket: Socket, phases: CheckPhases): void {
  const started = performance.now();
  let connectedAt: number | null = null;
  socket.once('connect', () => {
    connectedAt = performance.now();
    addPhase(phases, 'connectMs', connectedAt - started);
  });
  socket.once('secureConnect', () => {
    addPhase(phases, 'tlsMs', performance.now() - (connectedAt ?? started));
  });
}

/** Times a step (a query, an RPC) as firstByteMs: from now until the answer. */
export async function timeFirstByte<T>(phases: CheckPhases, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await step();
  addPhase(phases, 'firstByteMs', performance.now() - started);
  return value;
}
