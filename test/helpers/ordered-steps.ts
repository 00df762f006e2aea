import assert from 'node:assert/strict';
import type { WillowClient } from './client.ts';
import { readTable } from './wire.ts';

/** SQL of step k on the table `n,trail`: n doubles and adds k, trail gets k appended. */
export const orderedStep = (k: number) => `UPDATE df SET n = n * 2 + ${k}, trail = trail || ' ' || ${k}`;

/**
 * Two clients send `perClient` numbered steps each (a odd, b even) as executeCommand to one
 * session (`n,trail` = `0,start`) at once, alternating; asserts that every step succeeded and
 * was applied exactly once, each client's steps in the order it sent them, each seeing the
 * one before (n), and that `history` lists them in the order they ran.
 *
 * `pauseMs` between sends lets two connections of one server interleave on arrival; nothing
 * asserted depends on how they interleave, only on the order they arrived in.
 * Returns the order the steps ran in and the step each requestID carried.
 */
export async function sendOrderedSteps(
  a: WillowClient,
  b: WillowClient,
  id: string,
  opts: { perClient: number; pauseMs?: number; timeoutMs?: number },
): Promise<{ order: number[]; stepByRequest: Map<unknown, number>; requestIDs: unknown[] }> {
  const { perClient } = opts;
  const sentByA = Array.from({ length: perClient }, (_, i) => 2 * i + 1);
  const sentByB = Array.from({ length: perClient }, (_, i) => 2 * i + 2);
  const pause = () => (opts.pauseMs ? new Promise((resolve) => setTimeout(resolve, opts.pauseMs)) : Promise.resolve());
  const pending: Promise<Record<string, any>>[] = [];
  const stepOf: number[] = []; // the step each pending request carries
  for (let i = 0; i < perClient; i++) {
    for (const [client, k] of [[a, sentByA[i]], [b, sentByB[i]]] as const) {
      pending.push(client.request('executeCommand', id, { command: orderedStep(k) }, opts.timeoutMs));
      stepOf.push(k);
      await pause();
    }
  }
  const responses = await Promise.all(pending);
  for (const res of responses) assert.equal(res.success, true, JSON.stringify(res));

  const [[n, trail]] = (await readTable(a, id)).rows as [[number, string]];
  const order = trail.split(' ').slice(1).map(Number);
  assert.equal(order.length, 2 * perClient, 'every step applied exactly once');
  assert.deepEqual([...order].sort((x, y) => x - y), [...sentByA, ...sentByB].sort((x, y) => x - y));
  assert.deepEqual(order.filter((k) => k % 2 === 1), sentByA, 'client a’s steps in the order it sent them');
  assert.deepEqual(order.filter((k) => k % 2 === 0), sentByB, 'client b’s steps in the order it sent them');
  assert.equal(n, order.reduce((acc, k) => acc * 2 + k, 0), 'n is the steps applied one after the other in that order');
  // The operation log is the same order.
  const history = await b.request('history', id);
  assert.deepEqual(history.operations.map((o: any) => o.parameters.command), order.map(orderedStep));
  return { order, stepByRequest: new Map(responses.map((r, i) => [r.requestID, stepOf[i]])), requestIDs: responses.map((r) => r.requestID) };
}
