export * from './menu';
export * from './line-item';
export * from './place-order.request';
export * from './envelope';
export * from './events';
export * from './http-headers';
export * from './trace-context';
