// `peerwire status [--url URL] [--json]`: asks a running node's diagnostics endpoint (enabled with
// --metrics) for its /status document and prints it as tables (status-format.ts), or as the JSON
// document itself with --json.

import { Option, type Command } from 'commander';
import { ErrorCode, PeerwireError } from '../../core/errors.ts';
import { secondsOption } from '../options.ts';
import { formatStatus } from '../status-format.ts';

/** Where `peerwire node --metrics` serves by default (CometBFT's Prometheus port). */
export const DEFAULT_STATUS_URL = 'http://127.0.0.1:26660/status';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("print a running node's status (peers, channels, queues, peer store)")
    .option('--url <url>', 'the node status URL (its --metrics address)', DEFAULT_STATUS_URL)
    .addOption(new Option('--timeout <seconds>', 'give up after this long').argParser(secondsOption(600)).default(10))
    .option('--json', 'print the status document as JSON instead of tables', false)
    .action(async (flags: { url: string; timeout: number; json: boolean }) => {
      let url: URL;
      try {
        url = new URL(flags.url);
      } catch {
        throw new PeerwireError('ERR_CLI_USAGE', `--url "${flags.url}" is not a URL`, { action: 'transient' });
      }
      if (url.protocol !== 'http:') throw new PeerwireError('ERR_CLI_USAGE', `--url must be an http:// URL`, { action: 'transient' });
      if (url.pathname === '/' || url.pathname === '') url.pathname = '/status';
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(flags.timeout * 1000) });
      } catch (error) {
        const cause = (error as { cause?: { code?: unknown } }).cause?.code;
        throw new PeerwireError(ErrorCode.ConnectionFailed, `cannot reach ${url.href}${typeof cause === 'string' ? ` (${cause})` : ''}: is the node running with --metrics?`, {
          action: 'transient',
        });
      }
      const text = await response.text();
      if (!response.ok) throw new PeerwireError(ErrorCode.ConnectionFailed, `${url.href} answered HTTP ${response.status}`, { action: 'transient' });
      if (flags.json) {
        process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        return;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        throw new PeerwireError(ErrorCode.Malformed, `${url.href} did not answer with a status document`, { action: 'transient' });
      }
      if (doc === null || typeof doc !== 'object') throw new PeerwireError(ErrorCode.Malformed, `${url.href} did not answer with a status document`, { action: 'transient' });
      process.stdout.write(formatStatus(doc as Record<string, unknown>));
    });
}
