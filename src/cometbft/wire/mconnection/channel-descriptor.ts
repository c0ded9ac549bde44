// MConnection channel descriptors (docs/protocols/cometbft.md §3.5): the local policy of one channel. None
// of it is sent on the wire, but recvMessageCapacity decides when a peer disconnects us (it applies
// the same table), so the standard channels use CometBFT's exact values (channels/standard-channels.ts)
// and a channel without explicit values gets CometBFT's MConnection defaults below.

import { ErrorCode, PeerwireError } from '../../../core/errors.ts';
import type { ChannelDescriptor } from '../../../transport/types.ts';
import { MAX_CHANNEL_ID } from './packet-codec.ts';

/** MConnection default: one queued message per channel (reactors that need more say so). */
export const DEFAULT_SEND_QUEUE_CAPACITY = 1;
/**
 * MConnection default initial receive buffer (4096). Go allocates it eagerly per channel; we allocate
 * lazily (only while a fragmented message is in flight) and use it only as the first allocation size.
 */
export const DEFAULT_RECV_BUFFER_CAPACITY = 4096;
/** MConnection default largest reassembled message: 22,020,096 bytes (21 MiB). */
export const DEFAULT_RECV_MESSAGE_CAPACITY = 22_020_096;
/** A channel without a priority gets 1, the lowest share. */
export const DEFAULT_PRIORITY = 1;

/** A channel descriptor as the MConnection uses it (the transport's descriptor plus CometBFT fields). */
export interface MConnChannelDescriptor extends ChannelDescriptor {
  /** Initial size of the reassembly buffer, in bytes (a hint, not a limit). Default 4096. */
  readonly recvBufferCapacity: number;
}

/** What callers may pass: id required, everything else defaults to CometBFT's MConnection defaults. */
export interface ChannelDescriptorInput {
  readonly id: number;
  /** Relative send share under contention; > 0. Default 1. */
  readonly priority?: number;
  /** Messages queued before enqueue() refuses. Default 1. */
  readonly sendQueueCapacity?: number;
  /** Initial reassembly allocation hint in bytes. Default 4096. */
  readonly recvBufferCapacity?: number;
  /** Largest reassembled inbound message in bytes. Default 22,020,096. */
  readonly recvMessageCapacity?: number;
}

function invalid(message: string): PeerwireError {
  return new PeerwireError(ErrorCode.InvalidArgument, `channel descriptor: ${message}`, {
    action: 'transient',
  });
}

function positiveInteger(value: number, what: string, id: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw invalid(`channel ${id}: ${what} must be a positive integer`);
  return value;
}

/** Fills in defaults and checks the values; throws ERR_INVALID_ARGUMENT on a bad descriptor. */
export function channelDescriptor(input: ChannelDescriptorInput): MConnChannelDescriptor {
  const id = input.id;
  if (!Number.isInteger(id) || id < 0 || id > MAX_CHANNEL_ID) throw invalid(`id ${id} is not a byte`);
  const priority = input.priority ?? DEFAULT_PRIORITY;
  if (!Number.isFinite(priority) || priority <= 0) throw invalid(`channel ${id}: priority must be > 0`);
  return {
    id,
    priority,
    sendQueueCapacity: positiveInteger(
      input.sendQueueCapacity ?? DEFAULT_SEND_QUEUE_CAPACITY,
      'sendQueueCapacity',
      id,
    ),
    recvBufferCapacity: positiveInteger(
      input.recvBufferCapacity ?? DEFAULT_RECV_BUFFER_CAPACITY,
      'recvBufferCapacity',
      id,
    ),
    recvMessageCapacity: positiveInteger(
      input.recvMessageCapacity ?? DEFAULT_RECV_MESSAGE_CAPACITY,
      'recvMessageCapacity',
      id,
    ),
  };
}

/** Checks a descriptor set: valid descriptors, unique ids, at least one channel. */
export function channelDescriptorSet(inputs: readonly ChannelDescriptorInput[]): MConnChannelDescriptor[] {
  if (inputs.length === 0) throw invalid('an MConnection needs at least one channel');
  const seen = new Set<number>();
  return inputs.map((input) => {
    const descriptor = channelDescriptor(input);
    if (seen.has(descriptor.id)) throw invalid(`duplicate channel id ${descriptor.id}`);
    seen.add(descriptor.id);
    return descriptor;
  });
}
