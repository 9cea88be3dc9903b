import { createConnection, createServer, type Socket } from 'node:net';
import { AMQP_URL } from './amqp';

/**
 * A TCP relay between one app and the broker that a test can sever and restore: to that app the
 * broker is gone (its connections drop, new ones are refused) while the rest of the shop and
 * the broker itself carry on. Nothing else on the machine is disturbed.
 */
export class TcpLink {
  private readonly sockets = new Set<Socket>();
  private severed = false;
  private readonly server = createServer((client) => this.accept(client));

  private constructor(private readonly target: { host: string; port: number }) {}

  static async open(target: { host: string; port: number }): Promise<TcpLink> {
    const link = new TcpLink(target);
    await new Promise<void>((resolve) => link.server.listen(0, '127.0.0.1', resolve));
    return link;
  }

  /** The port the link listens on (127.0.0.1). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** The tests' broker URL (its credentials and vhost) through this link. */
  get amqpUrl(): string {
    const address = this.server.address();
    const url = new URL(AMQP_URL);
    url.hostname = '127.0.0.1';
    url.port = String(typeof address === 'object' && address ? address.port : 0);
    return url.toString();
  }

  /** Drops every connection through the link and refuses new ones until `restore`. */
  sever(): void {
    this.severed = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.severed = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.severed) {
      client.destroy();
      return;
    }
    const upstream = createConnection(this.target);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}
