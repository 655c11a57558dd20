import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * bench:notify's peers, in their own process so that their CPU is not the checker's: the target
 * every service checks (GET /flip?i=<n>, answering the status the bench sets), a webhook
 * receiver and an SMTP receiver that count what arrives and remember when the last did.
 */
let status = 200;
const webhookIds = new Set<string>();
let webhookRequests = 0;
let lastWebhookAt = 0;
let mails = 0;
let lastMailAt = 0;

const target = http.createServer((_req, res) => {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 2 });
  res.end('ok');
});
target.keepAliveTimeout = 60_000;

const webhook = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    webhookRequests++;
    webhookIds.add(String(req.headers['x-statuschecker-delivery']));
    lastWebhookAt = Date.now();
    res.writeHead(204);
    res.end();
  });
});
webhook.keepAliveTimeout = 60_000;

const smtp = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  onData(stream, _session, callback) {
    stream.resume();
    stream.on('end', () => {
      mails++;
      lastMailAt = Date.now();
      callback();
    });
  },
});

const listen = (server: { listen(port: number, host: string, cb: () => void): unknown }, address: () => AddressInfo) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve(address().port)));

const ports = {
  target: await listen(target, () => target.address() as AddressInfo),
  webhook: await listen(webhook, () => webhook.address() as AddressInfo),
  smtp: await listen(smtp, () => smtp.server.address() as AddressInfo),
};
process.send?.({ type: 'listening', ports });

process.on('message', (message: { type: string; status?: number }) => {
  if (message.type === 'status') {
    status = message.status ?? 200;
    process.send?.({ type: 'status-set' });
  }
  if (message.type === 'reset') {
    webhookIds.clear();
    webhookRequests = 0;
    mails = 0;
    lastWebhookAt = 0;
    lastMailAt = 0;
    process.send?.({ type: 'reset-done' });
  }
  if (message.type === 'stats') {
    process.send?.({
      type: 'stats',
      webhookRequests,
      webhookDistinct: webhookIds.size,
      lastWebhookAt,
      mails,
      lastMailAt,
      cpu: process.cpuUsage(),
    });
  }
});
process.on('disconnect', () => process.exit(0));
