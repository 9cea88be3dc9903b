import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DownstreamHealthCheck } from './readiness';

/** A local HTTP server answering /health with `status` (or never, for `hang`). */
async function service(status: number | 'hang'): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    if (status === 'hang') return;
    response.statusCode = request.url === '/health' ? status : 404;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('DownstreamHealthCheck', () => {
  const servers: Server[] = [];
  const start = async (status: number | 'hang') => {
    const started = await service(status);
    servers.push(started.server);
    return started.url;
  };

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is up when the service answers /health with 200', async () => {
    const url = await start(200);

    await expect(new DownstreamHealthCheck('pager', [url], 1000).check()).resolves.toEqual({
      status: 'up',
      instances: [{ url, status: 'up' }],
    });
  });

  it('is up while at least one instance is, showing the one that is not', async () => {
    const [good, bad] = [await start(200), await start(503)];

    const result = await new DownstreamHealthCheck('barista', [bad, good], 1000).check();

    expect(result).toEqual({
      status: 'up',
      instances: [
        { url: bad, status: 'down', error: 'answered 503' },
        { url: good, status: 'up' },
      ],
    });
  });

  it('is down when nobody listens, or nobody answers within the timeout', async () => {
    const hung = await start('hang');
    const closed = await start(200);
    const last = servers.pop();
    last?.close();
    await new Promise((resolve) => last?.once('close', resolve));

    const result = await new DownstreamHealthCheck('barista', [closed, hung], 200).check();

    expect(result).toEqual({
      status: 'down',
      instances: [
        { url: closed, status: 'down', error: 'ECONNREFUSED' },
        { url: hung, status: 'down', error: 'no answer within 200 ms' },
      ],
    });
  });
});
