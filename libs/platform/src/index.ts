export * from './config';
export * from './common.config';
export * from './validation';
export * from './correlation';
export * from './http-app';
export * from './health.controller';
export * from './run';
export * from './page.query';
