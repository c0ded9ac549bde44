// `peerwire keygen [--out node_key.json]`: writes a fresh Ed25519 node key in CometBFT's
// `node_key.json` format (mode 0600, written atomically) and prints the node ID. It refuses to
// replace an existing key unless --force: a node's ID is its identity to every peer that knows it.

import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { PeerwireError } from '../../core/errors.ts';
import { NodeKey } from '../../core/node-key.ts';
import { writeNodeKeyFile } from '../../cometbft/wire/node-key-file.ts';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description("write a new node key in CometBFT's node_key.json format and print its node ID")
    .option('--out <file>', 'where to write the key', 'node_key.json')
    .option('--force', 'replace an existing key file', false)
    .action(async (flags: { out: string; force: boolean }) => {
      if (!flags.force) {
        const exists = await access(flags.out).then(
          () => true,
          () => false,
        );
        if (exists) {
          throw new PeerwireError('ERR_CLI_KEY_EXISTS', `${flags.out} already exists (use --force to replace it)`, { action: 'transient' });
        }
      }
      const key = NodeKey.generate();
      await writeNodeKeyFile(flags.out, key);
      process.stdout.write(`${key.id}\n`);
    });
}
