// `peerwire decode --wire cometbft|zcash [--network NAME] [HEX | -]`: a protocol dissector from
// packets, frames or messages to JSON (see ../dissector.ts). Input is hex, from the argument or from
// stdin (`-` or no argument); whitespace and a 0x prefix are ignored.

import { Option, type Command } from 'commander';
import { PeerwireError } from '../../core/errors.ts';
import { NETWORK_CHOICES } from '../config.ts';
import { dissectCometbft, dissectZcash, MAX_DECODE_INPUT, type CometbftDecodeType } from '../dissector.ts';
import { hexBytes, intOption, toJson } from '../options.ts';

interface DecodeFlags {
  wire: 'cometbft' | 'zcash';
  network: string;
  type: CometbftDecodeType;
  channel?: number;
  command?: string;
  compact: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Hex is two characters per byte, plus some whitespace.
    if (size > 2 * MAX_DECODE_INPUT + 4096) throw new PeerwireError('ERR_CLI_USAGE', 'input too large', { action: 'transient' });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('decode CometBFT packets/messages or Zcash-family frames (hex) to JSON')
    .argument('[hex]', "hex bytes, or '-' (the default) to read them from stdin")
    .addOption(new Option('--wire <wire>', 'the wire the bytes come from').choices(['cometbft', 'zcash']).makeOptionMandatory())
    .addOption(new Option('--network <name>', 'Zcash family: whose magic frames carry').choices([...NETWORK_CHOICES]).default('zcash-mainnet'))
    .addOption(new Option('--type <type>', 'CometBFT: what the bytes are').choices(['auto', 'packet', 'message', 'node-info']).default('auto'))
    .addOption(new Option('--channel <id>', 'CometBFT: the channel of a bare reactor message').argParser(intOption(0, 255)))
    .option('--command <name>', 'Zcash family: decode a bare body of this command')
    .option('--compact', 'one line of JSON', false)
    .action(async (hex: string | undefined, flags: DecodeFlags) => {
      const text = hex === undefined || hex === '-' ? await readStdin() : hex;
      const bytes = hexBytes(text, 'the input');
      if (bytes.length === 0) throw new PeerwireError('ERR_CLI_USAGE', 'no input bytes', { action: 'transient' });
      const result =
        flags.wire === 'cometbft'
          ? dissectCometbft(bytes, { type: flags.type, ...(flags.channel === undefined ? {} : { channel: flags.channel }) })
          : dissectZcash(bytes, { network: flags.network, ...(flags.command === undefined ? {} : { command: flags.command }) });
      process.stdout.write(`${toJson(result, flags.compact ? undefined : 2)}\n`);
    });
}
