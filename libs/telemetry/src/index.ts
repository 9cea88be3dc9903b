export * from './sdk';
export * from './spans';
export * from './otlp-receiver';
