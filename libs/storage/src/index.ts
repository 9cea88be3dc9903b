export * from './sqlite-database';
export * from './processed-messages';
export * from './outbox';
export * from './outbox-relay';
export * from './storage.module';
export * from './database-path';
