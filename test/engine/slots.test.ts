/** Job slots (`src/engine/slots.ts`): a bound on tasks at once, and a slot lent while a task waits on others. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { slots } from '../../src/engine/slots.js';

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  return { opened, open };
}

/** Let every queued microtask and promise chain run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('slots', () => {
  test('at most n tasks run at once; the rest start in order as slots free', async () => {
    const pool = slots(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) => pool.run(async () => {
      started.push(i);
      await g.opened;
    }));
    await settle();
    assert.deepEqual(started, [0, 1]);
    gates[1]!.open();
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    await Promise.all(runs);
    assert.deepEqual(started, [0, 1, 2, 3]);
  });

  test('a task waiting on another lends its slot: with one slot, a task can wait for a task it starts', async () => {
    const pool = slots(1);
    const order: string[] = [];
    await pool.run(async (slot) => {
      order.push('outer starts');
      await slot.lend(() => pool.run(async () => { order.push('inner runs'); }));
      order.push('outer goes on');
    });
    assert.deepEqual(order, ['outer starts', 'inner runs', 'outer goes on']);
  });

  test('concurrent lends give back one slot, and the task takes one again before going on', async () => {
    const pool = slots(1);
    const inner = [gate(), gate()];
    const running: string[] = [];
    let outerResumed = false;
    const outer = pool.run(async (slot) => {
      await Promise.all(inner.map((g, i) => slot.lend(() => pool.run(async () => {
        running.push(`inner ${i}`);
        await g.opened;
        running.splice(running.indexOf(`inner ${i}`), 1);
      }))));
      outerResumed = true;
    });
    await settle();
    assert.deepEqual(running, ['inner 0'], 'one slot lent: the second inner task waits');
    // Someone else queues for the slot while the outer task waits on its inner ones.
    const other = gate();
    let otherRan = false;
    const third = pool.run(async () => {
      otherRan = true;
      await other.opened;
    });
    inner[0]!.open();
    await settle();
    assert.deepEqual(running, ['inner 1']);
    inner[1]!.open();
    await settle();
    // The slot went to the task that queued first; the outer task waits for it to come back.
    assert.equal(otherRan, true);
    assert.equal(outerResumed, false);
    other.open();
    await Promise.all([outer, third]);
    assert.equal(outerResumed, true);
  });

  test('a task that ends while its lend waits for a slot leaves no slot taken', async () => {
    const pool = slots(1);
    const blocker = gate();
    let lendDone!: Promise<void>;
    await pool.run(async (slot) => {
      // Not awaited: the task ends while the lend is still out.
      lendDone = slot.lend(async () => {
        await pool.run(() => blocker.opened);
      });
    });
    blocker.open();
    await lendDone;
    // The one slot is free again: a new task starts at once.
    let ran = false;
    void pool.run(async () => { ran = true; });
    await settle();
    assert.equal(ran, true, 'the slot is free');
  });

  test('a task that releases its slot lets the next task start while it goes on', async () => {
    const pool = slots(1);
    const rest = gate();
    const order: string[] = [];
    const first = pool.run(async (slot) => {
      order.push('first runs its command');
      slot.release();
      await rest.opened;
      order.push('first done');
    });
    const second = pool.run(async () => { order.push('second starts'); });
    await settle();
    assert.deepEqual(order, ['first runs its command', 'second starts'], 'the second task did not wait for the first to end');
    rest.open();
    await Promise.all([first, second]);
    // Released once: the one slot is free, not two.
    const gates = [gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) => pool.run(async () => { started.push(i); await g.opened; }));
    await settle();
    assert.deepEqual(started, [0], 'one slot, not one more for the release');
    gates.forEach((g) => g.open());
    await Promise.all(runs);
  });

  test('a lend after a release takes no slot back: the task goes on while another holds the only slot', async () => {
    const pool = slots(1);
    const other = gate();
    let otherRunning!: Promise<void>;
    let resumed = false;
    const task = pool.run(async (slot) => {
      slot.release();
      otherRunning = pool.run(() => other.opened);
      await slot.lend(async () => undefined);
      resumed = true;
    });
    await settle();
    assert.equal(resumed, true, 'the task went on without waiting for the slot the other task holds');
    other.open();
    await Promise.all([task, otherRunning]);
  });
  test('a load limit (ninja -l): while the load is at it, one task runs at a time; below it, n; with none running, one starts whatever the load', async () => {
    let load = 5;
    const pool = slots(3, { maxLoad: 2, loadAverage: () => load });
    const gates = [gate(), gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) => pool.run(async () => {
      started.push(i);
      await g.opened;
    }));
    await settle();
    assert.deepEqual(started, [0], 'the first starts: nothing else runs');
    gates[0]!.open();
    await settle();
    assert.deepEqual(started, [0, 1], 'a freed slot goes to one waiter while the load stays high');
    load = 0.5;
    gates[1]!.open();
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3, 4], 'the load dropped: every slot is handed out when one frees');
    for (const g of gates) g.open();
    await Promise.all(runs);
  });

  test('no load limit (0, or none): the load is not read', async () => {
    for (const options of [{ maxLoad: 0 }, {}]) {
      const pool = slots(2, { ...options, loadAverage: () => assert.fail('read the load') });
      const gates = [gate(), gate()];
      const started: number[] = [];
      const runs = gates.map((g, i) => pool.run(async () => {
        started.push(i);
        await g.opened;
      }));
      await settle();
      assert.deepEqual(started, [0, 1]);
      for (const g of gates) g.open();
      await Promise.all(runs);
    }
  });
});
