// Site search on the static host, over the index that site_builder/search.py writes to
// search-index/: pages listed under each character and pair of characters of their text
// (and, marked "#", of their names). No framework, no CDN, nothing to compile.

const FORMAT = 1; // of the index files (search.py's FORMAT)
const PAGE = 20; // results shown at once; "more" shows the next ones
const MARK = "#"; // before a name term
const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;
const EMPTY = new Uint32Array(0);

// NFKC, lower case, letters and digits only: search.py's normalize(), for names.
export function normalize(text) {
  return text.normalize("NFKC").toLowerCase().replace(NOT_ALNUM, "");
}

// The same with a space for each run of other characters: search.py's fold(), for text.
export function fold(text) {
  return text.normalize("NFKC").toLowerCase().replace(NOT_ALNUM, " ");
}

function pick(run, mark) {
  const chars = [...run];
  if (chars.length === 1) return [mark + run];
  return chars.slice(1).map((c, i) => mark + chars[i] + c);
}

// The terms of one word of the query, for its text and for names: search.py's query_terms.
export function queryTerms(word) {
  const text = fold(word).split(" ").filter(Boolean).flatMap((run) => pick(run, ""));
  const name = normalize(word);
  return [text, name ? pick(name, MARK) : []];
}

// FNV-1a (32 bits) of the term's UTF-8, modulo the shard count: search.py's shard_of.
export function shardOf(term, shards) {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(term)) {
    h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  }
  return h % shards;
}

// The ids in every one of the sorted lists, in order.
function intersect(lists) {
  if (!lists.length) return EMPTY;
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  let out = Array.from(sorted[0]);
  for (const other of sorted.slice(1)) {
    const next = [];
    let j = 0;
    for (const id of out) {
      while (j < other.length && other[j] < id) j++;
      if (j < other.length && other[j] === id) next.push(id);
    }
    out = next;
  }
  return out;
}

class Index {
  constructor(base) {
    this.base = base;
    this.shards = new Map();
    this.records = new Map();
    this.meta = fetch(new URL("meta.json", base)).then((r) => r.json()).then((meta) => {
      if (meta.format !== FORMAT) throw new Error(`search index format ${meta.format}`);
      return meta;
    });
  }

  async shard(n) {
    if (!this.shards.has(n)) {
      const name = `t/${n.toString(16).padStart(3, "0")}.bin`;
      this.shards.set(n, Promise.all([this.meta, fetch(new URL(name, this.base))])
        .then(async ([meta, r]) => {
          if (!r.ok) throw new Error(`${name}: ${r.status}`);
          const buf = await r.arrayBuffer();
          const size = new DataView(buf).getUint32(0, true);
          const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, size)));
          const Ids = meta.width === 2 ? Uint16Array : Uint32Array;
          const ids = new Ids(buf, 4 + size);
          const terms = new Map();
          let at = 0;
          for (const [term, count] of header) {
            terms.set(term, ids.subarray(at, at + count));
            at += count;
          }
          return terms;
        }));
    }
    return this.shards.get(n);
  }

  async postings(term) {
    const meta = await this.meta;
    return (await this.shard(shardOf(term, meta.shards))).get(term) || EMPTY;
  }

  // The ids of the pages listed under every term (none when there is no term).
  async all(terms) {
    if (!terms.length) return [];
    return intersect(await Promise.all(terms.map((t) => this.postings(t))));
  }

  record(id) {
    if (!this.records.has(id)) {
      this.records.set(id, fetch(new URL(`r/${id}.json`, this.base)).then((r) => r.json()));
    }
    return this.records.get(id);
  }
}

// The text around the first match, as nodes, with <mark> around every match in it.
function excerptNodes(text, runs, size = 110) {
  // Fold character by character, remembering where each folded character came from.
  let folded = "";
  const from = [];
  let i = 0;
  for (const ch of text) {
    for (const c of fold(ch)) {
      if (c === " " && folded.endsWith(" ")) continue;
      folded += c;
      for (let k = 0; k < c.length; k++) from.push([i, i + ch.length]);
    }
    i += ch.length;
  }
  const marks = [];
  for (const run of runs) {
    for (let at = folded.indexOf(run); at >= 0; at = folded.indexOf(run, at + run.length)) {
      marks.push([from[at][0], from[at + run.length - 1][1]]);
    }
  }
  marks.sort((a, b) => a[0] - b[0]);
  const first = marks.length ? marks[0][0] : 0;
  const start = Math.max(0, first - Math.floor(size / 3));
  const end = Math.min(text.length, start + size);
  const frag = document.createDocumentFragment();
  if (start > 0) frag.append("…");
  let pos = start;
  for (const [a, b] of marks) {
    if (a < pos || b > end) continue;
    frag.append(text.slice(pos, a));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(a, b);
    frag.append(mark);
    pos = b;
  }
  frag.append(text.slice(pos, end));
  if (end < text.length) frag.append("…");
  return frag;
}

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");
}

function setup(form) {
  const input = form.querySelector("input[name=q]");
  const boxes = [...form.querySelectorAll("input[name=kind]")];
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const more = document.getElementById("search-more");
  const labels = JSON.parse(form.dataset.labels);
  const root = form.dataset.root;
  let index = null;
  let query = { q: "", words: [] };
  let hits = []; // {id, name}: candidates until shown, then checked against the record
  let shown = 0;
  let serial = 0;
  let timer = 0;

  // Relative to the page: the site may live under any sub-path.
  function engine() {
    if (!index) index = new Index(new URL(form.dataset.index, document.baseURI));
    return index;
  }

  function kinds() {
    return boxes.filter((b) => b.checked).map((b) => b.value);
  }

  function remember(q, ks) {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    for (const k of ks) params.append("kind", k);
    const search = params.toString();
    history.replaceState(null, "", search ? `?${search}` : location.pathname);
  }

  function announce(q) {
    status.textContent = format(hits.length ? labels.found : labels.none, { n: hits.length, q });
  }

  async function run() {
    const q = input.value.trim();
    const ks = kinds();
    const mine = ++serial;
    remember(q, ks);
    if (!q) {
      hits = [];
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      return;
    }
    status.textContent = labels.searching;
    // Each word of the query must match (AND); a word of punctuation alone is dropped.
    const words = q.split(/\s+/).filter((w) => normalize(w)).map((w) => {
      const [text, name] = queryTerms(w);
      return { text, name, runs: fold(w).split(" ").filter(Boolean), whole: normalize(w) };
    });
    let names, text, meta;
    try {
      const ix = engine();
      [meta, names, text] = await Promise.all([
        ix.meta,
        ix.all(words.flatMap((w) => w.name)),
        ix.all(words.flatMap((w) => w.text)),
      ]);
    } catch (err) {
      if (mine === serial) status.textContent = labels.error;
      throw err;
    }
    if (mine !== serial) return; // a newer query has started
    const ranges = ks.map((k) => meta.kinds[k] || [0, 0]);
    const allowed = (id) => !ranges.length || ranges.some(([lo, hi]) => id >= lo && id < hi);
    // Name matches first (ids are in their order: alliances first), then the full text.
    const named = new Set(names);
    hits = [...names.filter(allowed).map((id) => ({ id, name: true })),
            ...text.filter((id) => allowed(id) && !named.has(id)).map((id) => ({ id, name: false }))];
    query = { q, words };
    shown = 0;
    list.replaceChildren();
    await showMore(mine, false);
  }

  // Whether the page really holds the query: in its names, or else in its text.
  function check(record, hit) {
    const inName = query.words.every((w) => record.names.some((n) => n.includes(w.whole)));
    if (inName) return "name";
    const text = fold(record.text);
    return query.words.every((w) => w.runs.every((r) => text.includes(r))) ? "text" : null;
  }

  async function showMore(mine, focus) {
    const items = [];
    const ix = engine();
    while (items.length < PAGE && shown < hits.length) {
      const batch = hits.slice(shown, shown + PAGE - items.length);
      const records = await Promise.all(batch.map((h) => ix.record(h.id)));
      if (mine !== serial) return;
      const kept = [];
      batch.forEach((hit, i) => {
        const how = check(records[i], hit);
        if (how) {
          kept.push(hit);
          items.push(row(records[i], how));
        }
      });
      // A page listed under every pair of the query but without the query itself.
      hits.splice(shown, batch.length, ...kept);
      shown += kept.length;
    }
    list.append(...items);
    more.hidden = shown >= hits.length;
    announce(query.q);
    if (focus && items.length) items[0].querySelector("a").focus();
  }

  function row(record, how) {
    const li = document.createElement("li");
    li.className = "search-result";
    li.dataset.kind = record.kind;
    const head = document.createElement("p");
    head.className = "search-result-head";
    const badge = document.createElement("span");
    badge.className = `badge search-kind kind-${record.kind}`;
    badge.textContent = labels.kinds[record.kind] || record.kind;
    const link = document.createElement("a");
    link.href = root + record.url;
    link.textContent = record.title || record.url;
    head.append(badge, " ", link);
    if (how === "name") {
      const tag = document.createElement("span");
      tag.className = "muted search-name-match";
      tag.textContent = labels.name;
      head.append(" ", tag);
    }
    const text = document.createElement("p");
    text.className = "search-excerpt";
    const runs = query.words.flatMap((w) => w.runs);
    const inText = how === "text" || runs.every((r) => fold(record.text).includes(r));
    if (inText) text.append(excerptNodes(record.text, runs));
    else text.textContent = record.summary;
    li.append(head, text);
    return li;
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  for (const b of boxes) b.addEventListener("change", () => run());
  more.addEventListener("click", () => showMore(serial, true));

  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  const wanted = params.getAll("kind");
  for (const b of boxes) b.checked = wanted.includes(b.value);
  if (input.value.trim()) run();
}

const form = document.querySelector("form[data-search]");
if (form) setup(form);
