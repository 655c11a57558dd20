/**
 * The peers of `bench:checks --kind`, in a process of their own so that their CPU is not counted:
 * a TCP server that accepts and stays silent, and the test DNS server. Prints one JSON line with the ports.
 */
import { startDnsServer } from '../../test/support/dns-server.js';
import { startTcpPeer } from '../../test/support/tcp-peer.js';

const [tcp, dns] = await Promise.all([startTcpPeer('silent'), startDnsServer()]);
process.stdout.write(`${JSON.stringify({ tcpPort: tcp.port, dnsPort: dns.port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
