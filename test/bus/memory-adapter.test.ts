// The memory adapter passes the conformance suite, and retention drops whole chunks from the front.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBatch, MemoryAdapter } from '../../src/bus/index.js';
import { conformance } from './conformance.js';

conformance('memory', { open: () => Promise.resolve(new MemoryAdapter()) });

test('memory: retention keeps the newest chunks and ids keep counting', async () => {
  const a = new MemoryAdapter({ retainEventsPerShard: 10 });
  const b = new EventBatch(1024, 'p');
  for (let k = 0; k < 5; k++) {
    b.count = 4;
    b.byteLength = 32;
    for (let i = 0; i < 4; i++) b.words[i * 2] = 4;
    await a.onBatch(b);
  }
  const page = await a.pollShard(0, undefined, 100);
  assert.equal(page.events.length, 8);
  assert.equal(page.events[0]!.id, '12');
  const after = await a.pollShard(0, '3', 100);
  assert.equal(after.events[0]!.id, '12', 'a cursor behind retention skips ahead');
});
