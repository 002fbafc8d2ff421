// The web view of `nomia ui`: standard browser JavaScript, no framework. Every request carries the
// token the page was opened with; live runs arrive over Server-Sent Events (/api/events).
const token = new URLSearchParams(location.search).get('token') ?? '';
const $ = (id) => document.getElementById(id);
const api = (path, params = {}) => `${path}?${new URLSearchParams({ ...params, token })}`;

/** The current run: its nodes by id, each { label, inputs, root, state, since, ms, spelling, lines, el }. */
let run = { id: 0, nodes: new Map() };
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

/** The run's nodes as a tree: each result, then the nodes it takes inputs from, under it. */
function drawTree() {
  const tree = $('tree');
  tree.replaceChildren();
  const shown = new Set();
  const item = (id) => {
    const n = run.nodes.get(id);
    const li = el('li');
    if (shown.has(id)) {
      li.append(el('span', { class: 'dim' }, `↑ ${n.label}`));
      return li;
    }
    shown.add(id);
    n.el = el('span', { class: 'node', 'data-id': String(id), onclick: () => openLog(id) },
      el('span', { class: 'state' }), el('span', { class: 'label' }, n.label), el('span', { class: 'time' }));
    drawNode(n);
    li.append(n.el);
    if (n.inputs.length) li.append(el('ul', {}, ...n.inputs.map(item)));
    return li;
  };
  for (const [id, n] of run.nodes) if (n.root) tree.append(item(id));
  for (const [id] of run.nodes) if (!shown.has(id)) tree.append(item(id));
}

function onEvent(e) {
  if (e.kind === 'done') {
    // A name realized before is one lookup: no node ran.
    for (const n of run.nodes.values()) if (n.state === 'pending') { n.state = 'reused'; drawNode(n); }
    $('run-status').textContent = `done: ${e.ran} realized, ${e.reused} reused, ${seconds(e.ms)}`;
    return;
  }
  const n = run.nodes.get(e.node);
  if (!n) return;
  switch (e.kind) {
    case 'realizing': case 'fetching': case 'waiting':
      n.state = 'running'; n.since = Date.now(); if (e.spelling) n.spelling = e.spelling; break;
    case 'cache-hit': case 'substituted': n.state = 'reused'; n.spelling = e.spelling; break;
    case 'ready': n.state = 'done'; n.ms = e.ms; break;
    case 'failed': n.state = 'failed'; n.lines.push(`error: ${e.error}`); break;
    case 'log': n.lines.push(e.line); break;
    case 'warning': n.lines.push(`warning: ${e.message}`); break;
    default: return;
  }
  if (n.el) drawNode(n);
  if (selected === e.node) showLines(n);
}

function showLines(n) {
  $('log').textContent = n.lines.join('\n');
}

/** A node's log: the lines seen live, then what the store kept once it is done. */
async function openLog(id) {
  const n = run.nodes.get(id);
  selected = id;
  for (const x of run.nodes.values()) x.el?.classList.toggle('selected', x === n);
  $('log-section').hidden = false;
  $('log-title').textContent = n.label;
  showLines(n);
  if (n.state === 'running' || !n.spelling) return;
  const r = await fetch(api('/api/log', { spelling: n.spelling }));
  if (r.ok && selected === id) $('log').textContent = (await r.text()) || '(empty)';
}

function listen() {
  const source = new EventSource(api('/api/events'));
  source.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.kind === 'run') {
      run = { id: msg.run, nodes: new Map(msg.nodes.map((n) => [n.id, { ...n, state: 'pending', lines: [] }])) };
      selected = undefined;
      $('run-status').textContent = `running ${msg.name}`;
      drawTree();
    } else if (msg.kind === 'event' && msg.run === run.id) {
      onEvent(msg.event);
    } else if (msg.kind === 'end' && msg.run === run.id) {
      if (!msg.ok) $('run-status').textContent = `failed: ${msg.error}`;
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
setInterval(() => { for (const n of run.nodes.values()) if (n.state === 'running' && n.el) drawNode(n); }, 250);
listen();
act(loadRoots)();
