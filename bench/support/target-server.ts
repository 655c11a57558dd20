import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The benchmark's target, run in its own process (bench/support/target.ts forks it) so that its
 * CPU is not counted as the checker's: a node:http server on 127.0.0.1 answering 200 "ok" to
 * everything, with keep-alive on. It reports its port, and when asked its own CPU time, the
 * requests served and the connections accepted (in all, and open now).
 */
const body = Buffer.from('ok');
let requests = 0;
let connections = 0;
let open = 0;

const server = http.createServer((_req, res) => {
  requests++;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.on('connection', (socket) => {
  connections++;
  open++;
  socket.once('close', () => open--);
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});

process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats', requests, connections, open, cpu: process.cpuUsage() });
});
process.on('disconnect', () => process.exit(0));
