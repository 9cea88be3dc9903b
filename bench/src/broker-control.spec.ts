import { RabbitmqCtl, restoreBrokerNow, type ToolRunner } from './broker-control';

/** A runner that records the commands and fails the first `failures` pings. */
function fakeRunner(failures = 0) {
  const commands: string[] = [];
  let pings = 0;
  const run: ToolRunner = (command, args) => {
    commands.push(`${command} ${args.join(' ')}`);
    if (args.includes('ping') && pings++ < failures)
      return Promise.reject(new Error('Error: unable to perform an operation on node'));
    return Promise.resolve('');
  };
  return { run, commands };
}

describe('RabbitmqCtl (with a fake command runner: the real broker is never touched)', () => {
  it('stops and starts the broker application with rabbitmqctl', async () => {
    const { run, commands } = fakeRunner();
    const control = new RabbitmqCtl('amqp://x', run, () => Promise.resolve());
    await control.stop();
    await control.start();
    expect(commands).toEqual(['rabbitmqctl stop_app', 'rabbitmqctl start_app']);
    // Started again by the scenario itself: nothing left for the exit handler to restore.
    expect(restoreBrokerNow()).toBe(false);
  });

  it('waits until ping answers and an AMQP connection succeeds', async () => {
    const { run, commands } = fakeRunner(2);
    const connects: string[] = [];
    const control = new RabbitmqCtl('amqp://broker', run, (url) => {
      connects.push(url);
      return connects.length < 2 ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve();
    });
    await control.waitUp(10000);
    expect(commands.filter((c) => c === 'rabbitmq-diagnostics -q ping')).toHaveLength(4);
    expect(connects).toEqual(['amqp://broker', 'amqp://broker']);
  });

  it('gives up after the timeout, saying why', async () => {
    const { run } = fakeRunner(Infinity);
    const control = new RabbitmqCtl('amqp://x', run, () => Promise.resolve());
    await expect(control.waitUp(300)).rejects.toThrow(
      /not up within 300 ms \(Error: unable to perform/,
    );
  });
});
