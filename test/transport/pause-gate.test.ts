// The pause gate: the link pauses on the first reason and resumes when the last one clears; a view is
// one reason as a Pausable (the inbox's), independent of the others.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PauseGate } from '../../src/transport/pause-gate.ts';

describe('pause gate', () => {
  it('pauses on the first reason, resumes only when the last one clears', () => {
    const calls: string[] = [];
    const gate = new PauseGate({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    assert.equal(gate.paused, false);
    gate.set('early', false); // clearing a reason never set: nothing happens
    assert.deepEqual(calls, []);
    const inbox = gate.view('inbox');
    inbox.pause();
    gate.set('rate', true);
    assert.equal(gate.paused, true);
    inbox.resume();
    assert.deepEqual(calls, ['pause']);
    assert.equal(gate.paused, true);
    gate.set('rate', false);
    assert.deepEqual(calls, ['pause', 'resume']);
    assert.equal(gate.paused, false);
    inbox.pause();
    inbox.pause();
    assert.deepEqual(calls, ['pause', 'resume', 'pause']);
  });
});
