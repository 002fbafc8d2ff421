// The web view of `nomia ui`: standard browser JavaScript, no framework. Every request carries the
// token the page was opened with; live runs arrive over Server-Sent Events (/api/events).
const token = new URLSearchParams(location.search).get('token') ?? '';
const $ = (id) => document.getElementById(id);
const api = (path, params = {}) => `${path}?${new URLSearchParams({ ...params, token })}`;

/**
 * The runs seen, by number: { id, name, origin, ended, status, nodes }, each node by its id in the run's
 * events: { id, label, inputs, root, parent, nested, state, since, ms, spelling, lines, el }. A node of a
 * realize a namespace started (its events carry `parent`) is added when its first event comes.
 */
const runs = new Map();
/** The run whose tree is shown; `follow`: show each new run as it starts (until another one is picked). */
let shown;
let follow = true;
let selected;

function message(text) { $('message').textContent = text; }

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

function seconds(ms) { return `${(ms / 1000).toFixed(1)} s`; }

function drawNode(n) {
  const time = n.state === 'running' ? seconds(Date.now() - n.since) : n.ms !== undefined ? seconds(n.ms) : '';
  n.el.dataset.state = n.state;
  n.el.querySelector('.state').textContent = n.state;
  n.el.querySelector('.time').textContent = time;
}

/** The shown run's nodes as a tree: each result, under it the nodes it takes inputs from, then those its namespace asked for. */
function drawTree() {
  const tree = $('tree');
  tree.replaceChildren();
  const run = runs.get(shown);
  if (!run) return;
  const drawn = new Set();
  const item = (id) => {
    const n = run.nodes.get(id);
    const li = el('li', n.parent === undefined ? {} : { class: 'nested' });
    if (drawn.has(id)) {
      li.append(el('span', { class: 'dim' }, `↑ ${n.label}`));
      return li;
    }
    drawn.add(id);
    n.el = el('span', { class: 'node', 'data-id': String(id), onclick: () => openLog(id) },
      el('span', { class: 'state' }), el('span', { class: 'label' }, n.label), el('span', { class: 'time' }));
    drawNode(n);
    li.append(n.el);
    const below = [...n.inputs, ...n.nested];
    if (below.length) li.append(el('ul', {}, ...below.map(item)));
    return li;
  };
  for (const [id, n] of run.nodes) if (n.root) tree.append(item(id));
  for (const [id, n] of run.nodes) if (!drawn.has(id) && !run.nodes.has(n.parent)) tree.append(item(id));
  for (const [id] of run.nodes) if (!drawn.has(id)) tree.append(item(id));
}

/** Redraw the tree once per frame at most (nested nodes may come in bursts). */
let treeQueued = false;
function queueTree() {
  if (treeQueued) return;
  treeQueued = true;
  requestAnimationFrame(() => { treeQueued = false; drawTree(); });
}

function drawStatus() {
  const run = runs.get(shown);
  $('run-status').textContent = run ? `#${run.id} ${run.status}` : '';
}

function drawRunItem(run) {
  const state = run.ended ? (run.ok ? 'done' : 'failed') : 'running';
  run.item.dataset.state = state;
  run.item.classList.toggle('shown', run.id === shown);
  run.item.querySelector('.run-state').textContent = state;
}

function addRunItem(run) {
  run.item = el('li', { class: 'run', 'data-run': String(run.id), 'data-origin': run.origin, onclick: () => { follow = run.id === Math.max(...runs.keys()); show(run.id); } },
    el('span', { class: 'run-state' }), ` #${run.id} `, el('span', { class: 'run-name' }, run.name.length > 120 ? `${run.name.slice(0, 120)}…` : run.name),
    el('span', { class: 'dim' }, ` ${run.origin === 'page' ? 'from this page' : run.origin}, ${new Date(run.started).toLocaleTimeString()}`));
  drawRunItem(run);
  $('runs').prepend(run.item);
}

function show(id) {
  shown = id;
  selected = undefined;
  for (const r of runs.values()) drawRunItem(r);
  drawStatus();
  drawTree();
}

/** A node's record in `run`, added (under the node that asked for it) when it belongs to a nested realize. */
function nodeOf(run, e) {
  let n = run.nodes.get(e.node);
  if (n) return n;
  n = { id: e.node, label: e.label, inputs: [], nested: [], root: false, parent: e.parent, state: 'pending', lines: [] };
  run.nodes.set(e.node, n);
  run.nodes.get(e.parent)?.nested.push(e.node);
  if (run.id === shown) queueTree();
  return n;
}

function onEvent(run, e, at) {
  if (e.kind === 'done') {
    // A name realized before is one lookup: no node ran.
    for (const n of run.nodes.values()) if (n.state === 'pending') { n.state = 'reused'; if (n.el) drawNode(n); }
    run.status = `done: ${e.ran} realized, ${e.reused} reused, ${seconds(e.ms)}`;
    if (run.id === shown) drawStatus();
    return;
  }
  if (e.node === undefined) return;
  const n = nodeOf(run, e);
  switch (e.kind) {
    case 'realizing': case 'fetching': case 'waiting':
      n.state = 'running'; n.since = at; if (e.spelling) n.spelling = e.spelling; break;
    case 'cache-hit': case 'substituted': n.state = 'reused'; n.spelling = e.spelling; break;
    case 'ready': n.state = 'done'; n.ms = e.ms; break;
    case 'failed': n.state = 'failed'; n.lines.push(`error: ${e.error}`); break;
    case 'log': n.lines.push(e.line); break;
    case 'warning': n.lines.push(`warning: ${e.message}`); break;
    default: return;
  }
  if (run.id !== shown) return;
  if (n.el) drawNode(n);
  if (selected === e.node) showLines(n);
}

function showLines(n) {
  $('log').textContent = n.lines.join('\n');
}

/** A node's log: the lines seen live, then what the store kept once it is done. */
async function openLog(id) {
  const run = runs.get(shown);
  const n = run.nodes.get(id);
  selected = id;
  for (const x of run.nodes.values()) x.el?.classList.toggle('selected', x === n);
  $('log-section').hidden = false;
  $('log-title').textContent = n.label;
  showLines(n);
  if (n.state === 'running' || !n.spelling) return;
  const r = await fetch(api('/api/log', { spelling: n.spelling }));
  if (r.ok && selected === id && shown === run.id) $('log').textContent = (await r.text()) || '(empty)';
}

function listen() {
  const source = new EventSource(api('/api/events'));
  source.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.kind === 'run') {
      // A reconnecting stream replays the runs the server kept: start afresh.
      if (runs.has(msg.run)) { runs.clear(); $('runs').replaceChildren(); }
      const run = {
        id: msg.run, name: msg.name, origin: msg.origin, started: msg.started, ended: false, ok: false, status: `running ${msg.name}`,
        nodes: new Map(msg.nodes.map((n) => [n.id, { ...n, nested: [], state: 'pending', lines: [] }])),
      };
      runs.set(run.id, run);
      addRunItem(run);
      if (follow || shown === undefined) show(run.id);
      return;
    }
    const run = runs.get(msg.run);
    if (!run) return;
    if (msg.kind === 'event') {
      onEvent(run, msg.event, msg.at);
    } else if (msg.kind === 'end') {
      run.ended = true;
      run.ok = msg.ok;
      if (!msg.ok) run.status = `failed: ${msg.error}`;
      drawRunItem(run);
      if (run.id === shown) drawStatus();
      loadRoots();
    }
  };
}

async function call(path, params) {
  const r = await fetch(api(path, params));
  if (!r.ok) {
    const text = await r.text();
    let error = text;
    try { error = JSON.parse(text).error ?? text; } catch { /* plain text */ }
    throw new Error(error);
  }
  return r;
}

function name() {
  const text = $('name').value.trim();
  if (!text) throw new Error('type a name first');
  return text;
}

async function realizeName() {
  const r = await fetch(api('/api/realize'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: name() }) });
  if (!r.ok) throw new Error((await r.json()).error);
}

async function showGraph() {
  const svg = await (await call('/api/graph.svg', { name: name() })).text();
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  $('graph').replaceChildren(document.importNode(doc.documentElement, true));
  $('graph-section').hidden = false;
}

async function showChain() {
  const steps = await (await call('/api/chain', { name: name() })).json();
  $('chain').replaceChildren(...steps.map((s) => el('li', {}, s.name, el('br'),
    el('span', { class: 'dim' }, s.to ? `⇒ ${s.to} (${s.kind}, by ${s.namespace})` : 'no reduction recorded'))));
  $('chain-section').hidden = false;
}

async function showNameLog() {
  const text = name();
  const r = await fetch(api('/api/log', { name: text }));
  selected = undefined;
  $('log-section').hidden = false;
  $('log-title').textContent = text;
  $('log').textContent = r.ok ? (await r.text()) || '(empty)' : await r.text();
}

async function loadRoots() {
  const roots = await (await call('/api/roots')).json();
  $('roots').replaceChildren(...(roots.length ? roots.map((r) => el('li', {},
    `${r.name} `, el('span', { class: 'dim' }, `${r.kind}, ${r.live ? 'live' : 'dead'} (${r.why}); keeps ${r.keeps.length} object${r.keeps.length === 1 ? '' : 's'}`),
    el('ul', {}, ...r.keeps.map((o) => el('li', {}, `${o.name} `, el('span', { class: 'dim' }, `${o.narSize} bytes`))))))
    : [el('li', { class: 'dim' }, 'no roots')]));
}

/** Run an action of a button, showing its error. */
const act = (f) => () => { message(''); f().catch((e) => message(e.message)); };

$('name-form').addEventListener('submit', (e) => { e.preventDefault(); act(realizeName)(); });
$('show-graph').addEventListener('click', act(showGraph));
$('show-chain').addEventListener('click', act(showChain));
$('show-log').addEventListener('click', act(showNameLog));
$('refresh-roots').addEventListener('click', act(loadRoots));
setInterval(() => { for (const n of runs.get(shown)?.nodes.values() ?? []) if (n.state === 'running' && n.el) drawNode(n); }, 250);
listen();
act(loadRoots)();
