// Site search on the static host: Pagefind's JS API, names first, then full text.
// No framework, no CDN. site_builder/search.py builds the index this script reads:
// every Chinese character is a word of its own, and names also come as pair tokens.

const PAGE = 20; // results shown at once; "more" shows the next ones
const MARK = "zq"; // name tokens, as search.py writes them
const KIND = "zx"; // the kind word of every page: zxalliance, zxstation…
const LIMIT = 26 ** 4;
// Ideographs, the same ranges as search.py's _HAN.
const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3134f}";
const HAN_EDGE = new RegExp(`(?=[${HAN}])|(?<=[${HAN}])`, "gu");
const HAS_HAN = new RegExp(`[${HAN}]`, "u");
const ZWSP = /\u200b/g; // the indexer's word breaks: never shown

// NFKC, lower case, letters and digits only: exactly search.py's normalize().
export function normalize(text) {
  let out = "";
  for (const ch of text.normalize("NFKC").toLowerCase()) {
    if (/[\p{L}\p{N}]/u.test(ch) && ch.codePointAt(0) < LIMIT) out += ch;
  }
  return out;
}

function unit(ch) {
  let n = ch.codePointAt(0);
  let out = "";
  for (let i = 0; i < 4; i++) {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  }
  return out;
}

// The Pagefind query that finds every name containing `query` (search.py's query_tokens):
// its character pairs as an exact phrase; one character is a prefix of the name tokens.
export function nameQuery(query) {
  const units = [...normalize(query)].map(unit);
  if (units.length === 0) return "";
  if (units.length === 1) return MARK + units[0];
  const pairs = units.slice(1).map((u, i) => MARK + units[i] + u);
  return `"${pairs.join(" ")}"`;
}

// The full-text query for one word of the reader's: its characters apart, as a phrase,
// because the index holds each character as a word (Pagefind would split 党建 as 党|建
// and then look for words that merely start with each).
export function textQuery(word) {
  const spaced = word.normalize("NFKC").replace(HAN_EDGE, " ").replace(/\s+/g, " ").trim();
  return HAS_HAN.test(spaced) && spaced.includes(" ") ? `"${spaced}"` : spaced;
}

// Pagefind's excerpt is escaped text with <mark> around each matched word: keep only
// those two, and join the marks of neighbouring characters into one.
function excerptNodes(html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html;
  const frag = document.createDocumentFragment();
  for (const node of tpl.content.childNodes) {
    const text = node.textContent.replace(ZWSP, "");
    if (node.nodeName !== "MARK") {
      if (text) frag.append(text);
    } else if (frag.lastChild?.nodeName === "MARK") {
      frag.lastChild.textContent += text;
    } else {
      const mark = document.createElement("mark");
      mark.textContent = text;
      frag.append(mark);
    }
  }
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
  let engine = null;
  const kindIds = new Map();
  let hits = [];
  let shown = 0;
  let serial = 0;
  let timer = 0;

  // Imported on first use, relative to the page: the site may live under any sub-path.
  async function pagefind() {
    if (!engine) {
      engine = import(new URL(form.dataset.pagefind, document.baseURI).href).then(async (pf) => {
        await pf.options({ baseUrl: "/" }); // result URLs as indexed: "/alliances/x/"
        return pf;
      });
    }
    return engine;
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

  // The ids of the pages of these kinds: one search for each kind's word, kept.
  async function ofKinds(pf, ks) {
    const sets = await Promise.all(ks.map((k) => {
      if (!kindIds.has(k)) {
        kindIds.set(k, pf.search(KIND + k).then((s) => new Set(s.results.map((r) => r.id))));
      }
      return kindIds.get(k);
    }));
    return new Set(sets.flatMap((set) => [...set]));
  }

  // The results that every query found, in the order of the first query's.
  async function every(pf, queries, options) {
    if (!queries.length) return [];
    const found = await Promise.all(queries.map((q) => pf.search(q, options)));
    const [first, ...rest] = found.map((f) => f.results);
    const sets = rest.map((r) => new Set(r.map((x) => x.id)));
    return first.filter((r) => sets.every((set) => set.has(r.id)));
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
    const words = q.split(/\s+/).filter((w) => normalize(w));
    let names, text;
    try {
      const pf = await pagefind();
      const [allowed, n, t] = await Promise.all([
        ks.length ? ofKinds(pf, ks) : null,
        every(pf, words.map(nameQuery), { sort: { name: "asc" } }),
        every(pf, words.map(textQuery), {}),
      ]);
      [names, text] = allowed ? [n, t].map((rs) => rs.filter((r) => allowed.has(r.id))) : [n, t];
    } catch (err) {
      if (mine === serial) status.textContent = labels.error;
      throw err;
    }
    if (mine !== serial) return; // a newer query has started
    // One entry per page: name matches first (search.py ranks them), then the full text.
    const byId = new Map();
    for (const r of names) byId.set(r.id, { name: r, text: null });
    for (const r of text) {
      const hit = byId.get(r.id);
      if (hit) hit.text = r;
      else byId.set(r.id, { name: null, text: r });
    }
    hits = [...byId.values()];
    shown = 0;
    list.replaceChildren();
    await showMore(mine, false);
    if (mine !== serial) return;
    status.textContent = format(hits.length ? labels.found : labels.none,
                                { n: hits.length, q });
  }

  async function showMore(mine, focus) {
    const batch = hits.slice(shown, shown + PAGE);
    const data = await Promise.all(batch.map((h) => (h.text || h.name).data()));
    if (mine !== serial) return;
    const items = batch.map((h, i) => row(data[i], h));
    list.append(...items);
    shown += batch.length;
    more.hidden = shown >= hits.length;
    if (focus && items.length) items[0].querySelector("a").focus();
  }

  function row(data, hit) {
    const li = document.createElement("li");
    li.className = "search-result";
    const kind = data.meta.kind || "";
    li.dataset.kind = kind;
    const head = document.createElement("p");
    head.className = "search-result-head";
    const badge = document.createElement("span");
    badge.className = `badge search-kind kind-${kind}`;
    badge.textContent = labels.kinds[kind] || kind;
    const link = document.createElement("a");
    link.href = root + data.url.replace(/^\//, "");
    link.textContent = (data.meta.title || data.url).replace(ZWSP, "");
    head.append(badge, " ", link);
    if (hit.name) {
      const tag = document.createElement("span");
      tag.className = "muted search-name-match";
      tag.textContent = labels.name;
      head.append(" ", tag);
    }
    const text = document.createElement("p");
    text.className = "search-excerpt";
    if (hit.text) text.append(excerptNodes(data.excerpt));
    else text.textContent = (data.meta.summary || "").replace(ZWSP, "");
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
