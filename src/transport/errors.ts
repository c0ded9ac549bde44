// Error codes of the transport layer, next to the shared ones in core/errors.ts. A transport failure is
// about our own machine or the path to a peer, never proof of misbehaviour, so these carry action
// `transient`.

export const TransportErrorCode = {
  /** listen() on an address (TCP host:port, or memory name) another listener already holds. */
  AddressInUse: 'ERR_TRANSPORT_ADDRESS_IN_USE',
  /** An inbound connection arrived while the accept backlog was full; it was closed. */
  BacklogFull: 'ERR_TRANSPORT_BACKLOG_FULL',
  /** The endpoint's protocol is not served by this transport. */
  UnsupportedProtocol: 'ERR_TRANSPORT_UNSUPPORTED_PROTOCOL',
} as const;
