// The package's main entry point, `peerwire`: the wire-agnostic engine and what it stands on. A
// program that speaks a real network imports a slice as well (`peerwire/cometbft`, `peerwire/zcash`);
// this entry names no network. The layer rule lets this file import core, transport and the engine.

// Core: typed errors, cancellation, time, bounded queues, codecs, observability, node identity.
export * from './core/errors.ts';
export * from './core/abort.ts';
export * from './core/clock.ts';
export { bytesFrom, cryptoBytes, SeededRandom, type Random, type RandomBytes } from './core/random.ts';
export * from './core/bounded-queue.ts';
export * from './core/message-codec.ts';
export * from './core/logger.ts';
export * from './core/pino-logger.ts';
export * from './core/metrics.ts';
export * from './core/prom-metrics.ts';
export * from './core/node-key.ts';
export * from './core/node-address.ts';
export * from './core/host-port.ts';

// Transport: the Connection/Transport seam a wire implements, and the carriers (TCP, in-memory).
export type * from './transport/types.ts';
export type * from './transport/wire.ts';
export * from './transport/errors.ts';
export * from './transport/endpoint.ts';
export * from './transport/byte-link.ts';
export * from './transport/carrier.ts';
export * from './transport/inbox.ts';
export { ConnectionShell, type ConnectionShellOptions, type ShellState } from './transport/connection-shell.ts';
export { PauseGate } from './transport/pause-gate.ts';
export * from './transport/stream-transport.ts';
export * from './transport/tcp-carrier.ts';
export * from './transport/memory-carrier.ts';
export * from './transport/memory-network.ts';
export { NO_FAULTS, type LinkFaults } from './transport/memory-faults.ts';

// Peers: the I/O-free PeerManager, its policies and the peer stores.
export type * from './engine/peers/types.ts';
export * from './engine/peers/policy.ts';
export * from './engine/peers/peer-manager.ts';
export * from './engine/peers/tendermint-policy.ts';
export * from './engine/peers/peer-errors.ts';
export * from './engine/peers/memory-peer-store.ts';
export * from './engine/peers/file-peer-store.ts';
export { addressGroup, classifyAddress, isRoutable, type AddressClass, type AddressGroupOptions } from './engine/peers/address-group.ts';
export type { BackoffOptions } from './engine/peers/backoff.ts';

// Router: channels, envelopes, the dial/accept/evict loops.
export * from './engine/router/router.ts';
export * from './engine/router/router-options.ts';
export {
  Channel,
  CHANNEL_DEFAULTS,
  type ChannelOptions,
  type ChannelOverflow,
  type Envelope,
  type OutboundEnvelope,
  type ResolvedChannelOptions,
} from './engine/router/channel.ts';
export { systemResolver, type HostResolver } from './engine/router/resolve.ts';
export type { TrafficObserver } from './engine/router/traffic-observer.ts';

// Services on the engine, and the node assembly every slice builds on.
export * from './engine/services/address-exchange.ts';
export * from './engine/node/engine-node.ts';
export * from './engine/node/node-status.ts';
