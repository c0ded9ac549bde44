// The `message_type` label CometBFT puts on its per-message byte counters: `<package>_<Type>` of the
// reactor message inside the channel's wrapper, as Go's reflect type name gives it in v0.34–v0.38
// (`mempool_Txs`, `consensus_Vote`, `p2p_PexRequest`, `types_EvidenceList`). Found by reading only
// the first protobuf tag of the message (the oneof field number), never by decoding it: this runs on
// every message. The label set is bounded: the standard channels' message types, `unknown` for a tag
// the schema lacks or bytes too short to hold one, and `other` for a non-standard channel.

import type { DescMessage } from '@bufbuild/protobuf';
import { standardChannel } from '../wire/standard-channels.ts';

/** CometBFT's label value for a schema type name such as `cometbft.mempool.v1.Txs` → `mempool_Txs`. */
export function goTypeLabel(typeName: string): string {
  const parts = typeName.split('.');
  return `${parts[1] ?? parts[0]}_${parts[parts.length - 1]}`;
}

/** Label by field number, per wrapper schema (computed once: a handful of channels, a few dozen fields). */
const labelsBySchema = new Map<DescMessage, ReadonlyMap<number, string>>();

function fieldLabels(schema: DescMessage): ReadonlyMap<number, string> {
  let labels = labelsBySchema.get(schema);
  if (labels === undefined) {
    const map = new Map<number, string>();
    const oneof = schema.oneofs[0];
    if (oneof !== undefined) {
      for (const field of oneof.fields) {
        if (field.fieldKind === 'message') map.set(field.number, goTypeLabel(field.message.typeName));
      }
    }
    labels = map;
    labelsBySchema.set(schema, labels);
  }
  return labels;
}

/** The first field number of a protobuf message (a varint tag of at most 5 bytes), or undefined. */
function firstFieldNumber(bytes: Uint8Array): number | undefined {
  let tag = 0;
  for (let i = 0; i < Math.min(5, bytes.length); i++) {
    const byte = bytes[i]!;
    tag += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return Math.floor(tag / 8);
  }
  return undefined;
}

/** The `message_type` label of one message on `channelId`. */
export function messageTypeLabel(channelId: number, bytes: Uint8Array): string {
  const channel = standardChannel(channelId);
  if (channel === undefined) return 'other';
  const labels = fieldLabels(channel.schema);
  if (labels.size === 0) return goTypeLabel(channel.schema.typeName);
  const field = firstFieldNumber(bytes);
  return (field === undefined ? undefined : labels.get(field)) ?? 'unknown';
}
