// The graph view: a force layout computed once (grid-bucketed repulsion, so it stays near linear in
// the number of entities), drawn as SVG; the time slider asks the server which relations stood then
// and only hides or shows lines.
"use strict";
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const root = document.getElementById("graph");
  if (!root) return;
  const svg = document.getElementById("graph-svg");
  const slider = document.getElementById("time-slider");
  const asOfInput = document.getElementById("as-of");
  const axis = document.getElementById("axis");
  const statusLine = document.getElementById("graph-status");
  const detail = document.getElementById("relation-detail");
  const src = root.dataset.src;
  const edges = new Map();
  const lines = new Map();
  const nodes = new Map();
  let data = null;
  let start = 0;
  let end = 0;

  const fmt = (iso) => (iso ? new Date(iso).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") : "—");
  const el = (name, attrs) => {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  };

  function layout(entities, relations) {
    const n = entities.length;
    const size = Math.max(400, Math.sqrt(n) * 60);
    entities.forEach((e, i) => {
      const angle = i * 2.399963; // golden angle: an even first spread
      const r = size * 0.45 * Math.sqrt((i + 0.5) / n);
      nodes.set(e.id, { ...e, x: size / 2 + r * Math.cos(angle), y: size / 2 + r * Math.sin(angle), dx: 0, dy: 0 });
    });
    const list = [...nodes.values()];
    const ideal = 40;
    const cell = ideal * 2;
    for (let step = 0; step < 120; step++) {
      const heat = 8 * (1 - step / 120) + 0.5;
      const grid = new Map();
      for (const p of list) {
        p.dx = 0; p.dy = 0;
        const key = `${Math.floor(p.x / cell)},${Math.floor(p.y / cell)}`;
        (grid.get(key) || grid.set(key, []).get(key)).push(p);
      }
      for (const p of list) {
        const gx = Math.floor(p.x / cell), gy = Math.floor(p.y / cell);
        for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) {
          for (const q of grid.get(`${gx + i},${gy + j}`) || []) {
            if (q === p) continue;
            let ddx = p.x - q.x, ddy = p.y - q.y;
            const d2 = ddx * ddx + ddy * ddy || 0.01;
            const f = (ideal * ideal) / d2;
            p.dx += ddx * f * 0.05; p.dy += ddy * f * 0.05;
          }
        }
      }
      for (const r of relations) {
        const a = nodes.get(r.source), b = nodes.get(r.target);
        if (!a || !b || a === b) continue;
        const ddx = b.x - a.x, ddy = b.y - a.y;
        const d = Math.sqrt(ddx * ddx + ddy * ddy) || 0.01;
        const f = (d - ideal) / d * 0.05;
        a.dx += ddx * f; a.dy += ddy * f; b.dx -= ddx * f; b.dy -= ddy * f;
      }
      for (const p of list) {
        p.dx += (size / 2 - p.x) * 0.002; p.dy += (size / 2 - p.y) * 0.002; // a weak pull to the middle
        const d = Math.sqrt(p.dx * p.dx + p.dy * p.dy) || 1;
        const move = Math.min(d, heat);
        p.x += (p.dx / d) * move; p.y += (p.dy / d) * move;
      }
    }
  }

  function draw() {
    const xs = [...nodes.values()].map((p) => p.x), ys = [...nodes.values()].map((p) => p.y);
    const pad = 40;
    const box = [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) - Math.min(...xs) + 2 * pad, Math.max(...ys) - Math.min(...ys) + 2 * pad];
    svg.setAttribute("viewBox", box.join(" "));
    const edgeLayer = el("g", {}), nodeLayer = el("g", {});
    for (const edge of edges.values()) addLine(edge, edgeLayer);
    for (const p of nodes.values()) {
      p.circle = el("circle", { cx: p.x, cy: p.y, r: 5, "data-entity": p.id });
      const title = el("title", {}); title.textContent = `${p.name} (${p.type})`; p.circle.appendChild(title);
      p.label = el("text", { x: p.x + 7, y: p.y + 3 }); p.label.textContent = p.name;
      nodeLayer.append(p.circle, p.label);
    }
    svg.append(edgeLayer, nodeLayer);
    svg.edgeLayer = edgeLayer;
  }

  function addLine(edge, layer) {
    const a = nodes.get(edge.source), b = nodes.get(edge.target);
    if (!a || !b) return;
    const line = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, "data-relation": edge.id });
    const title = el("title", {}); title.textContent = edge.fact; line.appendChild(title);
    line.addEventListener("click", () => select(edge.id));
    lines.set(edge.id, line);
    layer.appendChild(line);
  }

  function select(id) {
    const edge = edges.get(id);
    for (const line of svg.querySelectorAll("line.selected")) line.classList.remove("selected");
    lines.get(id).classList.add("selected");
    const a = nodes.get(edge.source), b = nodes.get(edge.target);
    detail.replaceChildren();
    const h = document.createElement("h3"); h.textContent = `${a.name} ${edge.predicate} ${b.name}`;
    const fact = document.createElement("p"); fact.textContent = edge.fact;
    const dl = document.createElement("dl"); dl.className = "facts"; dl.id = "relation-facts";
    const rows = [["Relation", edge.id], ["True from", fmt(edge.valid_at)], ["True until", fmt(edge.invalid_at)], ["Learned", fmt(edge.created_at)], ["Retired", fmt(edge.expired_at)]];
    for (const [k, v] of rows) {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v;
      dl.append(dt, dd);
    }
    const dt = document.createElement("dt"); dt.textContent = "Said in";
    const dd = document.createElement("dd"); dd.id = "relation-sources";
    for (const episode of edge.provenance) {
      const href = data.sources[episode];
      const link = document.createElement(href ? "a" : "span");
      if (href) link.href = href;
      link.textContent = episode; dd.append(link, " ");
    }
    if (!edge.provenance.length) dd.textContent = "—";
    dl.append(dt, dd);
    detail.append(h, fact, dl);
  }

  function show(visible) {
    const ids = new Set(visible.map((e) => e.id));
    for (const e of visible) if (!edges.has(e.id)) { edges.set(e.id, e); addLine(e, svg.edgeLayer); }
    const touched = new Set();
    for (const [id, line] of lines) {
      const on = ids.has(id);
      line.classList.toggle("hidden", !on);
      if (on) { touched.add(edges.get(id).source); touched.add(edges.get(id).target); }
      const e = edges.get(id);
      line.classList.toggle("past", on && !!e.invalid_at);
    }
    for (const p of nodes.values()) p.circle.classList.toggle("dim", !touched.has(p.id));
    statusLine.textContent = `${ids.size} of ${lines.size} relations`;
  }

  let pending = null;
  async function moveTo(iso) {
    const query = new URLSearchParams({ by: axis.value });
    if (iso) query.set("as_of", iso);
    const url = src + (src.includes("?") ? "&" : "?") + query.toString();
    const ticket = (pending = Symbol());
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (ticket !== pending) return;
    if (!response.ok) { statusLine.textContent = `error ${response.status}`; return; }
    const answer = await response.json();
    show(iso ? answer.edges : [...edges.values()].filter((e) => e.current));
    root.dataset.asOf = iso || "";
  }

  let timer = null;
  slider.addEventListener("input", () => {
    const t = start + ((end - start) * Number(slider.value)) / Number(slider.max);
    const iso = Number(slider.value) >= Number(slider.max) ? "" : new Date(t).toISOString();
    asOfInput.value = iso;
    clearTimeout(timer);
    timer = setTimeout(() => moveTo(iso), 120);
  });
  asOfInput.addEventListener("change", () => {
    const t = Date.parse(asOfInput.value);
    if (asOfInput.value && Number.isNaN(t)) { statusLine.textContent = "write the moment like 2024-05-01T09:30:00Z"; return; }
    if (asOfInput.value) slider.value = String(Math.round(((t - start) / Math.max(1, end - start)) * Number(slider.max)));
    moveTo(asOfInput.value ? new Date(t).toISOString() : "");
  });
  axis.addEventListener("change", () => moveTo(asOfInput.value ? new Date(Date.parse(asOfInput.value)).toISOString() : ""));

  fetch(src, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`error ${r.status}`))))
    .then((loaded) => {
      data = loaded;
      if (!loaded.entities.length) {
        statusLine.textContent = "";
        detail.replaceChildren(Object.assign(document.createElement("p"), { className: "empty", textContent: "No entities yet: the graph grows as episodes sent with infer are read." }));
        return;
      }
      for (const e of loaded.edges) edges.set(e.id, e);
      layout(loaded.entities, loaded.edges);
      draw();
      start = Date.parse(loaded.start || loaded.end);
      end = Date.parse(loaded.end);
      slider.disabled = start >= end;
      show(loaded.edges.filter((e) => e.current));
      root.dataset.ready = "1";
    })
    .catch((error) => { statusLine.textContent = String(error.message || error); });
})();
