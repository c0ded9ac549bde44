// The rules by which an MConnection's send scheduler weighs its channels against each other
// (docs/protocols/cometbft.md §3.8): which channel writes the next packet, which one may go past the
// pacing window and the send rate as a light channel, and whether the link is shared at all. Kept apart
// from the core so the core holds the byte work and these three questions read in one place.

import type { ChannelState } from './channel-state.ts';

/**
 * A channel counts as sharing the link for this long after its last packet (ms), and the pacer keeps
 * its tight target while two channels do (SendPacer.setShared). 10 s spans the gaps between a
 * CometBFT height's votes (default timeout_commit 1 s, proposal timeouts of a few seconds), so a
 * validator's vote channel keeps the target tight through a block sync it serves on the same peer.
 */
export const SHARED_LINK_MEMORY_MS = 10_000;

/** The pending channel with the least recentlySent / priority (first declared wins ties), as CometBFT. */
export function pickChannel(channels: readonly ChannelState[]): ChannelState | undefined {
  let best: ChannelState | undefined;
  let bestRatio = Number.POSITIVE_INFINITY;
  for (const channel of channels) {
    if (!channel.hasPending()) continue;
    const ratio = channel.recentlySent / channel.descriptor.priority;
    if (ratio < bestRatio) {
      best = channel;
      bestRatio = ratio;
    }
  }
  return best;
}

/** True when no channel but `channel` has data to send: the scheduler would pick it every time. */
export function soleSender(channel: ChannelState, channels: readonly ChannelState[]): boolean {
  for (const other of channels) if (other !== channel && other.hasPending()) return false;
  return true;
}

/**
 * True when some other channel sent more than this one lately, weighed by priority as the scheduler
 * weighs them (recentlySent / priority): the channel is not the one filling the link, so its packet
 * may use the overdraft past the pacing window and the send-rate bucket. A vote channel (priority 10)
 * stays light while it sends less than a tenth of what a block-part channel (priority 1) sends.
 */
export function isLight(channel: ChannelState, channels: readonly ChannelState[]): boolean {
  const own = channel.recentlySent / channel.descriptor.priority;
  for (const other of channels) if (other.recentlySent / other.descriptor.priority > own) return true;
  return false;
}

/**
 * True when two channels have data queued or wrote within SHARED_LINK_MEMORY_MS before `now` (clock
 * ms): some traffic may then need to overtake the bytes in flight, so the pacer keeps them shallow.
 */
export function linkShared(channels: readonly ChannelState[], now: number): boolean {
  const since = now - SHARED_LINK_MEMORY_MS;
  let using = 0;
  for (const channel of channels) {
    if ((channel.lastSentAt > since || channel.hasPending()) && ++using === 2) return true;
  }
  return false;
}
