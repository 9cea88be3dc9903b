// Orders placed and followed over HTTP by tests that drive a whole shop (several instances
// behind a gateway): answers are tallied, never thrown, so a test can say how many failed and why.
import { anOrder, eventually, get } from './client';

export interface Placed {
  readonly status: number;
  readonly id?: string;
  readonly error?: string;
}

export interface OrderView {
  readonly id: string;
  readonly status: string;
  readonly history: readonly { readonly status: string }[];
}

/** One POST /orders; a refused or broken call is an answer too (status 0: no HTTP answer). */
export async function place(url: string, customer: string): Promise<Placed> {
  try {
    const response = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(anOrder(customer)),
    });
    const body = (await response.json().catch(() => ({}))) as { id?: string; message?: unknown };
    return { status: response.status, id: body.id, error: JSON.stringify(body.message) };
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    return { status: 0, error: `${(error as Error).message}: ${cause?.message ?? ''}` };
  }
}

/** Places `count` orders, `concurrency` at a time. */
export async function placeMany(url: string, count: number, concurrency = 16): Promise<Placed[]> {
  const placed: Placed[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        placed.push(await place(url, `Guest ${next}`));
      }
    }),
  );
  return placed;
}

/** Waits until every order reads as `ready` through `url`; returns their views. */
export async function allReady(
  url: string,
  ids: readonly string[],
  ms: number,
): Promise<OrderView[]> {
  const views = new Map<string, OrderView>();
  await eventually(
    `${ids.length} orders to be ready through ${url}`,
    async () => {
      for (const id of ids.filter((id) => views.get(id)?.status !== 'ready')) {
        const reply = await get<OrderView>(`${url}/orders/${id}`);
        if (reply.status === 200) views.set(id, reply.body);
      }
      const waiting = ids.filter((id) => views.get(id)?.status !== 'ready');
      if (waiting.length === 0) return true;
      throw new Error(`${waiting.length} not ready, e.g. ${JSON.stringify(views.get(waiting[0]))}`);
    },
    ms,
  );
  return ids.map((id) => views.get(id)!);
}
