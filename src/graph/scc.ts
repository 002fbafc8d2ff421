/**
 * Tarjan's strongly connected components, iterative so that a 100 000-node
 * chain does not overflow the stack. `deps(n)` lists the nodes `n` depends
 * on. Components come out dependencies first: every component a component
 * depends on has been emitted before it.
 */
export function stronglyConnected(count: number, deps: (n: number) => readonly number[]): number[][] {
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const out: number[][] = [];
  let next = 0;
  const work: { n: number; i: number; ds: readonly number[] }[] = [];
  for (let root = 0; root < count; root++) {
    if (index[root] !== -1) continue;
    work.push({ n: root, i: 0, ds: deps(root) });
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1]!;
      if (top.i < top.ds.length) {
        const d = top.ds[top.i++]!;
        if (index[d] === -1) {
          index[d] = low[d] = next++;
          stack.push(d);
          onStack[d] = 1;
          work.push({ n: d, i: 0, ds: deps(d) });
        } else if (onStack[d]) {
          low[top.n] = Math.min(low[top.n]!, index[d]!);
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!;
        low[parent.n] = Math.min(low[parent.n]!, low[top.n]!);
      }
      if (low[top.n] === index[top.n]) {
        const comp: number[] = [];
        let m: number;
        do {
          m = stack.pop()!;
          onStack[m] = 0;
          comp.push(m);
        } while (m !== top.n);
        out.push(comp);
      }
    }
  }
  return out;
}
