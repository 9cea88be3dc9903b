import 'reflect-metadata';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { HealthController } from './health.controller';
import type { CheckResult, ReadinessCheck } from './readiness';

const identity = { service: 'order', transport: 'rmq' };

function reply() {
  const sent = { status: 0 };
  const fake: { status: (code: number) => unknown } = {
    status: (code: number) => {
      sent.status = code;
      return fake;
    },
  };
  return { sent, asReply: fake as unknown as FastifyReply };
}

const check = (name: string, result: CheckResult | Error): ReadinessCheck => ({
  name,
  check: () => (result instanceof Error ? Promise.reject(result) : Promise.resolve(result)),
});

describe('HealthController', () => {
  it('is ready (200, status ok) with no checks, naming the service', async () => {
    const { sent, asReply } = reply();
    const body = await new HealthController(identity).health(asReply);

    expect(sent.status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', service: 'order', transport: 'rmq', checks: {} });
    expect(body.pid).toBe(process.pid);
    expect(Date.parse(body.startedAt)).not.toBeNaN();
  });

  it('is ready when every check is up, and shows each', async () => {
    const { sent, asReply } = reply();
    const controller = new HealthController(identity, [
      check('broker', { status: 'up', consumer: 'consuming' }),
    ]);

    const body = await controller.health(asReply);

    expect(sent.status).toBe(200);
    expect(body.checks).toEqual({ broker: { status: 'up', consumer: 'consuming' } });
  });

  it('answers 503 unavailable when a check is down or throws, naming it', async () => {
    const { sent, asReply } = reply();
    const controller = new HealthController(identity, [
      check('barista', { status: 'up' }),
      check('pager', { status: 'down', error: 'ECONNREFUSED' }),
      check('broker', new Error('no idea')),
    ]);

    const body = await controller.health(asReply);

    expect(sent.status).toBe(503);
    expect(body.status).toBe('unavailable');
    expect(body.checks).toEqual({
      barista: { status: 'up' },
      pager: { status: 'down', error: 'ECONNREFUSED' },
      broker: { status: 'down', error: 'no idea' },
    });
  });

  it('once shutting down: 503 stopping, still alive, and its listener takes no new connections', async () => {
    const server = { listening: true, close: jest.fn() };
    const host = { httpAdapter: { getHttpServer: () => server } } as unknown as HttpAdapterHost;
    const controller = new HealthController(identity, [], host);

    controller.beforeApplicationShutdown();

    const { sent, asReply } = reply();
    const body = await controller.health(asReply);
    expect(sent.status).toBe(503);
    expect(body.status).toBe('stopping');
    expect(server.close).toHaveBeenCalledTimes(1);
    expect(controller.live()).toMatchObject({ status: 'ok', service: 'order' });
  });
});
