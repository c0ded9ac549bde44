// Protocol limits of the Zcash wire (zebra-network semantics, docs/protocols/zcash.md §1.3, §2, §9).
// They live in one place because the same numbers bound decoding, encoding and preallocation: a
// limit that differs from the real network's breaks mixed networks even when the bytes are right.

/** Frame header: magic (4) + command (12) + body length u32le (4) + checksum (4). */
export const HEADER_LENGTH = 24;

/** Command field width in the header, NUL-padded ASCII. */
export const COMMAND_LENGTH = 12;

/** Checksum width: the first 4 bytes of SHA-256d(body). */
export const CHECKSUM_LENGTH = 4;

/**
 * Largest body after the handshake: 2 MiB (Zebra MAX_PROTOCOL_MESSAGE_LEN = zcashd
 * MAX_PROTOCOL_MESSAGE_LENGTH). Bounds per-connection buffering; a block (≤ 2,000,000 bytes) fits.
 */
export const MAX_PROTOCOL_MESSAGE_LENGTH = 2 * 1024 * 1024;

/**
 * Largest body before the handshake completes: 1024 bytes (Zebra MAX_HANDSHAKE_BODY_LEN). An
 * unauthenticated peer can make us buffer at most this much per connection until verack.
 */
export const MAX_HANDSHAKE_BODY_LENGTH = 1024;

/** Largest block Zebra parses (MAX_BLOCK_BYTES, a consensus rule). */
export const MAX_BLOCK_BYTES = 2_000_000;

/** BIP-14 user agent cap (MAX_USER_AGENT_LENGTH = zcashd MAX_SUBVERSION_LENGTH), in bytes. */
export const MAX_USER_AGENT_LENGTH = 256;

/** `reject.message` cap, in bytes: a command name (zcashd COMMAND_SIZE). */
export const MAX_REJECT_MESSAGE_LENGTH = 12;

/** `reject.reason` cap, in bytes (zcashd MAX_REJECT_MESSAGE_LENGTH). */
export const MAX_REJECT_REASON_LENGTH = 111;

/** Optional trailing `reject.data` width (a hash). */
export const REJECT_DATA_LENGTH = 32;

/** Entries per `addr`/`addrv2` (MAX_ADDRS_IN_MESSAGE); more is a parse error, also the preallocation cap. */
export const MAX_ADDRS_IN_MESSAGE = 1000;

/** Largest addrv2 address (MAX_ADDR_V2_ADDR_SIZE); a longer one rejects the whole message. */
export const MAX_ADDR_V2_ADDR_SIZE = 512;

/** Inventory entries accepted in one received message (MAX_INV_IN_RECEIVED_MESSAGE = zcashd MAX_INV_SZ). */
export const MAX_INV_IN_RECEIVED_MESSAGE = 50_000;

/** Transaction ids Zebra sends in one `inv` (MAX_TX_INV_IN_SENT_MESSAGE); the connection layer truncates. */
export const MAX_TX_INV_IN_SENT_MESSAGE = 25_000;

/** Block locator hashes (MAX_BLOCK_LOCATOR_LENGTH, = Bitcoin Core MAX_LOCATOR_SZ). */
export const MAX_BLOCK_LOCATOR_LENGTH = 101;

/** Headers per `headers` message (MAX_HEADERS_PER_MESSAGE); more is a parse error. */
export const MAX_HEADERS_PER_MESSAGE = 160;

/** BIP-37 filter cap in bytes; `filterload` bodies are 9 ..= 36,009 bytes. */
export const MAX_FILTERLOAD_FILTER_LENGTH = 36_000;

/** Fixed tail of a `filterload` body: u32 nHashFuncs + u32 nTweak + u8 nFlags. */
export const FILTERLOAD_FIXED_LENGTH = 9;

/** BIP-37 data element cap for `filteradd` (the script element size limit), in bytes. */
export const MAX_FILTERADD_LENGTH = 520;

/** Hash width (block hashes, txids, auth digests), in bytes. */
export const HASH_LENGTH = 32;

/** CompactSize values used as counts/lengths are capped at the protocol maximum (Zebra CompactSizeMessage). */
export const MAX_COMPACT_SIZE_COUNT = MAX_PROTOCOL_MESSAGE_LENGTH;
