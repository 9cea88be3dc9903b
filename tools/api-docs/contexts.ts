import { createHttpApp, loadConfig, type TransportKind } from '@app/platform';
import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { BaristaConfig } from '../../apps/barista/src/barista.config';
import { BaristaModule } from '../../apps/barista/src/barista.module';
import { OrderConfig } from '../../apps/order/src/order.config';
import { OrderModule } from '../../apps/order/src/order.module';
import { PagerConfig } from '../../apps/pager/src/pager.config';
import { PagerModule } from '../../apps/pager/src/pager.module';

export const CONTEXTS = ['order', 'barista', 'pager'] as const;
export type Context = (typeof CONTEXTS)[number];

/**
 * Each context's composition root under a transport, with the config a user would give it, and
 * nothing that lasts: databases in memory, no listening port, no broker connection (the app is
 * created, not initialised, so its consumer never starts).
 */
const ENV = {
  LOG_LEVEL: 'fatal',
  API_DOCS: 'off',
  ORDER_DB_PATH: ':memory:',
  BARISTA_DB_PATH: ':memory:',
  PAGER_DB_PATH: ':memory:',
};

function moduleOf(context: Context, transport: TransportKind) {
  const env = { ...ENV, TRANSPORT: transport };
  switch (context) {
    case 'order': {
      const config = loadConfig(OrderConfig, env);
      return { config, module: OrderModule.forRoot(config) };
    }
    case 'barista': {
      const config = loadConfig(BaristaConfig, env);
      return { config, module: BaristaModule.forRoot(config) };
    }
    case 'pager': {
      const config = loadConfig(PagerConfig, env);
      return { config, module: PagerModule.forRoot(config) };
    }
  }
}

/** Runs `use` on `context`'s app under `transport`, then closes it. */
export async function withApp<T>(
  context: Context,
  transport: TransportKind,
  use: (app: INestApplication) => T | Promise<T>,
): Promise<T> {
  const { config, module } = moduleOf(context, transport);
  const app = await createHttpApp(module, config);
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}

/** The event patterns (routing keys) the app's message controllers handle. */
export function handledPatterns(app: INestApplication): string[] {
  const patterns = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (!prototype) continue;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler: unknown = Object.getOwnPropertyDescriptor(prototype, name)?.value;
        if (typeof handler !== 'function') continue;
        const found: unknown = Reflect.getMetadata(PATTERN_METADATA, handler);
        for (const pattern of Array.isArray(found) ? found : []) {
          if (typeof pattern === 'string') patterns.add(pattern);
        }
      }
    }
  }
  return [...patterns].sort();
}
