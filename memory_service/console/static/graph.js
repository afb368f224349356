// The graph view: a force layout computed once (grid-bucketed repulsion, so it stays near linear in
// the number of entities), drawn as SVG; the time slider asks the server which relations stood then
// and only hides or shows lines. Pan and zoom move the viewBox only (wheel, drag, the buttons or the
// keys + - 0 and arrows on the focused drawing): nothing is redrawn, so a thousand relations cost
// one repaint a frame, as ten do.
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
  const zoomIn = document.getElementById("zoom-in");
  const zoomOut = document.getElementById("zoom-out");
  const zoomReset = document.getElementById("zoom-reset");
  const src = root.dataset.src;
  const edges = new Map();
  const lines = new Map();
  const nodes = new Map();
  let data = null;
  let start = 0;
  let end = 0;
  let home = null; // the whole drawing's viewBox, [x, y, width, height]
  let view = null; // the one shown
  let frame = 0;
  let drag = null;
  let dragged = false; // the pointer moved: the click that ends a drag selects nothing

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
    home = box;
    setView(box);
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
    line.addEventListener("click", () => { if (!dragged) select(edge.id); });
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

  // -- pan and zoom ------------------------------------------------------------------------
  const MIN_SCALE = 0.25; // a quarter of the whole drawing's size, zoomed out
  const MAX_SCALE = 40; // close enough to read one label among a thousand

  function setView(box) {
    const scale = home[2] / box[2];
    if (scale < MIN_SCALE || scale > MAX_SCALE) return;
    view = box;
    root.dataset.zoom = scale.toFixed(3);
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; svg.setAttribute("viewBox", view.join(" ")); });
  }

  function toDrawing(clientX, clientY) {
    const matrix = svg.getScreenCTM();
    return new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
  }

  function zoomAt(factor, point) {
    if (!view) return;
    const [x, y, w, h] = view;
    const p = point || { x: x + w / 2, y: y + h / 2 };
    setView([p.x - (p.x - x) / factor, p.y - (p.y - y) / factor, w / factor, h / factor]);
  }

  function panBy(dx, dy) {
    if (view) setView([view[0] + dx, view[1] + dy, view[2], view[3]]);
  }

  svg.addEventListener("wheel", (event) => {
    if (!view) return;
    event.preventDefault();
    zoomAt(Math.exp(-event.deltaY * 0.0015), toDrawing(event.clientX, event.clientY));
  }, { passive: false });
  svg.addEventListener("pointerdown", (event) => {
    if (!view || event.button !== 0) return;
    drag = { id: event.pointerId, x: event.clientX, y: event.clientY, view, moving: false };
    dragged = false;
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moving && Math.hypot(dx, dy) < 4) return; // a click on a relation, not a drag
    if (!drag.moving) { drag.moving = true; svg.setPointerCapture(event.pointerId); svg.classList.add("dragging"); }
    const unit = svg.getScreenCTM().a || 1; // screen pixels per drawing unit
    setView([drag.view[0] - dx / unit, drag.view[1] - dy / unit, drag.view[2], drag.view[3]]);
  });
  const endDrag = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    dragged = drag.moving;
    if (drag.moving) svg.releasePointerCapture(event.pointerId);
    svg.classList.remove("dragging");
    drag = null;
  };
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("keydown", (event) => {
    if (!view) return;
    const step = view[2] / 10;
    const keys = {
      "+": () => zoomAt(1.25), "=": () => zoomAt(1.25), "-": () => zoomAt(0.8), "0": () => setView(home),
      ArrowLeft: () => panBy(-step, 0), ArrowRight: () => panBy(step, 0), ArrowUp: () => panBy(0, -step), ArrowDown: () => panBy(0, step),
    };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });
  zoomIn.addEventListener("click", () => zoomAt(1.25));
  zoomOut.addEventListener("click", () => zoomAt(0.8));
  zoomReset.addEventListener("click", () => { if (home) setView(home); });

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
