// The public entry point of the peerwire package.
export * from './core/errors.ts';
export * from './core/abort.ts';
export * from './core/clock.ts';
export * from './core/bounded-queue.ts';
export * from './core/logger.ts';
export * from './core/pino-logger.ts';
export * from './core/metrics.ts';
export * from './core/prom-metrics.ts';
export * from './core/node-key.ts';
export * from './core/node-address.ts';
export type * from './transport/types.ts';
export type * from './engine/peers/types.ts';
