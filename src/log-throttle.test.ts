import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ErrorThrottle } from './log-throttle.ts';

test('a recurring error is logged once per window, the next line saying how many were left out', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  let now = 0;
  const t = new ErrorThrottle(pino(sink), 1000, () => now);
  const refused = new Error('connect ECONNREFUSED 127.0.0.1:1');
  for (let i = 0; i < 30; i++, now += 10) t.report(`partition-${i % 4}`, refused, 'redis error');
  t.report('queue', new Error('other'), 'redis error');
  assert.equal(lines.length, 2, 'one line per distinct error');
  assert.deepEqual([lines[0].source, lines[0].err, lines[0].suppressed], ['partition-0', refused.message, undefined]);
  now = 1500;
  t.report('queue', refused, 'redis error');
  assert.equal(lines.length, 3);
  assert.equal(lines[2].suppressed, 29);
  t.report('queue', refused, 'redis error');
  assert.equal(lines.length, 3);
});
