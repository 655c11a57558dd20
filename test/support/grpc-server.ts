import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';

export interface GrpcServer {
  readonly port: number;
  url(service?: string, scheme?: 'grpc' | 'grpcs', host?: string): string;
  close(): Promise<void>;
}

/**
 * A real gRPC server on 127.0.0.1 with the standard health service (grpc-health-check), serving
 * the given statuses; without `statuses`, a gRPC server with no health service at all.
 */
export async function startGrpcServer(
  statuses: ServingStatusMap | null,
  tlsPair?: { key: string; cert: string },
): Promise<GrpcServer> {
  const server = new grpc.Server();
  if (statuses !== null) new HealthImplementation(statuses).addToServer(server);
  const credentials = tlsPair
    ? grpc.ServerCredentials.createSsl(null, [
        { private_key: Buffer.from(tlsPair.key), cert_chain: Buffer.from(tlsPair.cert) },
      ])
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    port,
    url: (service = '', scheme = 'grpc', host = '127.0.0.1') => `${scheme}://${host}:${port}/${service}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 500).unref();
      }),
  };
}
