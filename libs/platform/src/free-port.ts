import { createServer } from 'node:net';

/**
 * A port nobody listens on right now, chosen by the OS: for whatever starts the apps on ports of
 * its own (the benchmark, the tests), so that it never meets a shop already running.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
