// The web view's server-sent events through the status server: a page gets the latest view at once
// and every later one; at most MAX_EVENT_CLIENTS pages are served at once (the next is refused with
// 503, nothing queued for it); close() ends the streams and leaves no socket or timer behind.

import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { PromMetrics } from '../../src/core/prom-metrics.ts';
import { StatusServer } from '../../src/cli/http-status.ts';
import { EventStream, MAX_EVENT_CLIENTS } from '../../src/cli/web/event-stream.ts';
import { handleCounts, waitForHandlesAtMost } from '../helpers/handles.ts';
import { waitFor } from '../helpers/wait.ts';

function open(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/events`, resolve);
    req.on('error', reject);
    req.end();
  });
}

test('pages get the latest view and every later one, within the client limit; close leaves nothing', async () => {
  const baseline = handleCounts();
  const stream = new EventStream();
  const server = await StatusServer.start({ listen: { host: '127.0.0.1', port: 0 }, metrics: new PromMetrics(), status: () => ({}), web: stream });
  stream.publish({ n: 1 });
  const first = await open(server.url);
  assert.equal(first.headers['content-type'], 'text/event-stream');
  let received = '';
  first.setEncoding('utf8').on('data', (d: string) => (received += d));
  await waitFor(() => received.includes('data: {"n":1}\n\n'), 'the latest view on connect');
  stream.publish({ n: 2 });
  await waitFor(() => received.includes('data: {"n":2}\n\n'), 'the next view');

  const more: IncomingMessage[] = [];
  for (let i = 1; i < MAX_EVENT_CLIENTS; i++) more.push(await open(server.url));
  assert.ok(more.every((r) => r.statusCode === 200));
  await waitFor(() => stream.clientCount === MAX_EVENT_CLIENTS, 'all pages attached');
  const refused = await open(server.url);
  assert.equal(refused.statusCode, 503);
  refused.resume();
  assert.equal(stream.clientCount, MAX_EVENT_CLIENTS);

  const ended = new Promise<void>((resolve) => first.once('end', resolve));
  for (const r of more) r.resume();
  await server.close();
  await ended;
  await waitForHandlesAtMost(baseline);
});
