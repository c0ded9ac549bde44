// The node's configuration: one flat set of keys, read from a TOML file (smol-toml), then overridden by
// environment variables (PEERWIRE_<KEY>, e.g. PEERWIRE_CHAIN_ID), then by command-line flags, and
// validated with zod. Every error names the key, where the value came from, what was expected and
// what was found, in one line, so a typo in a config file never ends in a stack trace.
//
// The keys and their defaults are documented in docs/config.md (the table there mirrors CONFIG_KEYS).

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { PeerwireError } from '../core/errors.ts';
import { parseHostPort } from '../core/host-port.ts';

/** Error code of an invalid configuration (same code the CLI maps to exit 2). */
export const ERR_CONFIG_INVALID = 'ERR_CONFIG_INVALID';

/** Largest config file read (bytes): a node config is a few hundred bytes; this bounds a wrong path. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** The Zcash-family network names the command knows (network-params.ts NETWORK_NAMES). */
export const NETWORK_CHOICES = ['zcash-mainnet', 'zcash-testnet', 'zcash-regtest', 'bitcoin-mainnet', 'bitcoin-regtest'] as const;

const hostPortString = z.string().refine((text) => tryHostPort(text), { message: 'expected HOST:PORT (e.g. 127.0.0.1:26656)' });

function tryHostPort(text: string): boolean {
  try {
    parseHostPort(text, { allowZeroPort: true });
    return true;
  } catch {
    return false;
  }
}

const port = z.number().int().min(1).max(100_000);

/** Largest clock_offset (s): a day covers any realistic clock error; more is a typo. */
export const MAX_CLOCK_OFFSET_SECONDS = 86_400;

/** A day: an outbound rotation rarer than that is the same as none (0 turns it off). */
const MAX_ROTATION_SECONDS = 86_400;
/** A guest asks once and is answered within a round trip; a minute is far beyond any honest need. */
const MAX_GUEST_TIMEOUT_SECONDS = 60;

/** The schema; unknown keys are errors (a misspelt key must not be silently ignored). */
export const ConfigSchema = z.strictObject({
  wire: z.enum(['cometbft', 'zcash']).default('cometbft'),
  home: z.string().min(1).default(join(homedir(), '.peerwire')),
  listen: hostPortString.optional(),
  peers: z.array(z.string().min(1)).default([]),
  seeds: z.array(z.string().min(1)).default([]),
  seed_mode: z.boolean().default(false),
  metrics: z.union([z.literal(''), hostPortString]).default(''),
  log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  log_format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  max_outbound: port.optional(),
  max_inbound: port.optional(),
  local_network: z.boolean().default(false),
  lab_network: z.boolean().default(false),
  clock_offset: z.number().int().min(-MAX_CLOCK_OFFSET_SECONDS).max(MAX_CLOCK_OFFSET_SECONDS).default(0),
  chain_id: z.string().min(1).max(50).optional(),
  moniker: z.string().min(1).max(64).default('peerwire'),
  pex: z.boolean().default(true),
  observe_channels: z.array(z.string().min(1)).default([]),
  network: z.enum(NETWORK_CHOICES).default('zcash-mainnet'),
  crawler: z.boolean().default(true),
  user_agent: z.string().max(256).default('/peerwire:0.1.0/'),
  allow_duplicate_ip: z.boolean().optional(),
  max_connections_per_ip: z.number().int().min(1).max(1_000).optional(),
  send_rate: z.number().int().min(1).optional(),
  recv_rate: z.number().int().min(1).optional(),
  recv_message_rate: z.number().int().min(1).optional(),
  max_pending_handshakes: z.number().int().min(1).max(10_000).optional(),
  max_pending_handshakes_per_ip: z.number().int().min(1).max(10_000).optional(),
  overload_threshold_percent: z.number().int().min(1).max(100).optional(),
  outbound_rotation_seconds: z.number().int().min(0).max(MAX_ROTATION_SECONDS).optional(),
  max_inbound_guests: z.number().int().min(0).max(1_000).optional(),
  guest_timeout_seconds: z.number().int().min(1).max(MAX_GUEST_TIMEOUT_SECONDS).optional(),
  refusal_hold_ms: z.number().int().min(0).max(60_000).optional(),
});

export type NodeConfig = z.output<typeof ConfigSchema>;
export type ConfigKey = keyof NodeConfig;
export const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as ConfigKey[];

/** Where a value came from, for error messages. */
export type ConfigSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'env'; readonly name: string } | { readonly kind: 'flag'; readonly name: string };

export interface LoadConfigOptions {
  /** A TOML file; none = defaults plus environment plus flags. */
  readonly file?: string;
  /** Environment to read PEERWIRE_* from; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from flags, by config key (strings are converted like environment values). */
  readonly flags?: Readonly<Partial<Record<ConfigKey, unknown>>>;
}

function configError(message: string): PeerwireError {
  return new PeerwireError(ERR_CONFIG_INVALID, message, { action: 'transient' });
}

/** The environment variable of a key: PEERWIRE_ + the key in upper case. */
export function envName(key: ConfigKey): string {
  return `PEERWIRE_${key.toUpperCase()}`;
}

/** What kind of value each key holds, to convert text (environment, flags) before validation. */
const KINDS: Readonly<Record<ConfigKey, 'boolean' | 'number' | 'list' | 'string'>> = {
  wire: 'string',
  home: 'string',
  listen: 'string',
  peers: 'list',
  seeds: 'list',
  seed_mode: 'boolean',
  metrics: 'string',
  log_level: 'string',
  log_format: 'string',
  max_outbound: 'number',
  max_inbound: 'number',
  local_network: 'boolean',
  lab_network: 'boolean',
  clock_offset: 'number',
  chain_id: 'string',
  moniker: 'string',
  pex: 'boolean',
  observe_channels: 'list',
  network: 'string',
  crawler: 'boolean',
  user_agent: 'string',
  allow_duplicate_ip: 'boolean',
  max_connections_per_ip: 'number',
  send_rate: 'number',
  recv_rate: 'number',
  recv_message_rate: 'number',
  max_pending_handshakes: 'number',
  max_pending_handshakes_per_ip: 'number',
  overload_threshold_percent: 'number',
  outbound_rotation_seconds: 'number',
  max_inbound_guests: 'number',
  guest_timeout_seconds: 'number',
  refusal_hold_ms: 'number',
};

/** Converts a text value to the key's kind; leaves it as text when it does not convert (zod reports it). */
export function convertText(key: ConfigKey, text: string): unknown {
  switch (KINDS[key]) {
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      return text;
    }
    case 'number':
      return /^\s*[-+]?\d+\s*$/.test(text) ? Number(text) : text;
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'string':
      return text;
  }
}

async function readToml(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_CONFIG_FILE_BYTES) throw configError(`config file ${path} is larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof PeerwireError) throw error;
    const code = (error as { code?: unknown }).code;
    throw configError(`cannot read config file ${path}: ${typeof code === 'string' ? code : String(error)}`);
  }
  try {
    return parseToml(text);
  } catch (error) {
    const line = (error as { line?: unknown }).line;
    const first = ((error as Error).message.split('\n')[0] ?? '').trim();
    throw configError(`config file ${path} is not valid TOML${typeof line === 'number' ? ` (line ${line})` : ''}: ${first}`);
  }
}

/** Levenshtein distance (short strings only: config keys), for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeSource(source: ConfigSource | undefined): string {
  if (source === undefined) return 'config';
  if (source.kind === 'file') return source.path;
  if (source.kind === 'env') return `environment ${source.name}`;
  return `flag ${source.name}`;
}

/** Checks a raw key/value record and returns the resolved config, or throws one readable config error. */
export function validateConfig(raw: Record<string, unknown>, sources: ReadonlyMap<string, ConfigSource> = new Map()): NodeConfig {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '?';
      const suggestion = CONFIG_KEYS.find((k) => editDistance(k, key.toLowerCase().replace(/-/g, '_')) <= 2);
      throw configError(`config: unknown key "${key}" in ${describeSource(sources.get(key))}${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`);
    }
    const key = String(issue.path[0] ?? '?');
    let found: unknown = raw[key];
    for (const part of issue.path.slice(1)) found = (found as Record<PropertyKey, unknown> | undefined)?.[part];
    const path = issue.path.map(String).join('.');
    throw configError(`config: ${path} (${describeSource(sources.get(key))}): ${issue.message.replace(/^Invalid (input|option): /, '').replace(/, received \w+$/, '')}, found ${describeFound(found)}`);
  }
  const config = result.data;
  if (config.wire === 'cometbft' && config.chain_id === undefined) {
    throw configError('config: chain_id is required for the cometbft wire (set chain_id, PEERWIRE_CHAIN_ID or --chain-id)');
  }
  if (config.local_network && config.lab_network) {
    throw configError('config: local_network and lab_network are two different profiles: set one of them');
  }
  return config;
}

/** Defaults < file < environment < flags, validated. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<NodeConfig> {
  const raw: Record<string, unknown> = {};
  const sources = new Map<string, ConfigSource>();
  if (options.file !== undefined) {
    const fromFile = await readToml(options.file);
    for (const [key, value] of Object.entries(fromFile)) {
      raw[key] = value;
      sources.set(key, { kind: 'file', path: options.file });
    }
  }
  const env = options.env ?? process.env;
  for (const key of CONFIG_KEYS) {
    const name = envName(key);
    const text = env[name];
    if (text === undefined || text === '') continue;
    raw[key] = convertText(key, text);
    sources.set(key, { kind: 'env', name });
  }
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    raw[key] = typeof value === 'string' && CONFIG_KEYS.includes(key as ConfigKey) ? convertText(key as ConfigKey, value) : value;
    sources.set(key, { kind: 'flag', name: `--${key.replace(/_/g, '-')}` });
  }
  return validateConfig(raw, sources);
}
