/* lisa report: the interactive network map (sigma.js + graphology, inlined).
 *
 * Reads the JSON in <script id="lisa-map-data"> (built by lisa/report/mapdata.py):
 * typed arrays in base64 for positions, groups, role masks per view and the
 * links with a bit mask of the relations they belong to. Nodes are keyed by
 * their position in that payload, never by roster id.
 *
 * When the map has first rendered, sets performance.mark("lisa-map-interactive")
 * and window.lisaMap.readyAt (ms since navigation start) for the benchmark;
 * "lisa-map-links-first" when the first links are drawn and
 * "lisa-map-links-drawn" when every link the view draws is in. Setting
 * window.lisaMapHoldLinks = true (from a test, or the console) pauses the
 * drawing of links after its first step until it is set back to false.
 */
(function () {
  "use strict";

  var ROLE_BITS = { hub: 1, gatekeeper: 2, pulsetaker: 4 };
  var DIM = "#e4e4e4";

  function $(id) { return document.getElementById(id); }

  function decode(b64, Type) {
    var bin = atob(b64);
    var len = bin.length;
    var buf = new ArrayBuffer(len);
    var bytes = new Uint8Array(buf);
    for (var i = 0; i < len; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(buf);
  }

  // People's indexes: 2 bytes each, 3 above 65,535 people (mapdata.py), 4 above 16.7 million.
  function indexes(b64, bytes) {
    if (bytes !== 3) return decode(b64, intType(bytes));
    var raw = decode(b64, Uint8Array);
    var out = new Uint32Array(raw.length / 3);
    for (var i = 0, j = 0; i < out.length; i++, j += 3) out[i] = raw[j] | (raw[j + 1] << 8) | (raw[j + 2] << 16);
    return out;
  }

  function intType(bytes) {
    return bytes === 1 ? Uint8Array : bytes === 2 ? Uint16Array : Uint32Array;
  }

  function status(text) {
    var el = $("map-status");
    if (el) el.textContent = text;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function init() {
    var dataEl = $("lisa-map-data");
    var container = $("map-canvas");
    if (!dataEl || !container) return;
    var P = JSON.parse(dataEl.textContent);
    var n = P.n;
    var X = decode(P.x, Float32Array);
    var Y = decode(P.y, Float32Array);
    var LAYER = decode(P.layer, Uint8Array);
    var SECTOR = decode(P.sector, Uint16Array);
    var ORG = decode(P.organisation, Uint32Array);
    var ROLES = decode(P.roleMasks, Uint8Array);
    var INDEG = decode(P.inDegree, Uint32Array);
    var CORES = decode(P.coreNetworks, Uint8Array);
    var EA = indexes(P.edgeA, P.indexBytes);
    var EB = indexes(P.edgeB, P.indexBytes);
    var EM = decode(P.edgeMask, intType(P.maskBytes));
    var timings = { decoded: performance.now() - t0 };
    var small = n <= 1000;
    var baseSize = small ? 3.5 : 1.6;

    var state = {
      view: 0, colourBy: "layer", selected: -1, matches: null,
      layers: {}, sectors: {}, role: "all", visible: new Uint8Array(n), neighbours: null
    };
    P.layers.forEach(function (_, k) { state.layers[k] = true; });
    P.sectors.forEach(function (_, k) { state.sectors[k] = true; });

    var GraphCtor = graphology.UndirectedGraph || graphology.Graph || graphology;
    var graph = new GraphCtor();
    for (var i = 0; i < n; i++) {
      graph.addNode(i, { x: X[i], y: Y[i], size: baseSize, color: "#999", label: P.labels[i] });
    }

    function roleOf(i, view) { return ROLES[view * n + i]; }

    function sizeFor(mask) {
      if (mask & 1) return baseSize * 2.8;
      if (mask & 2) return baseSize * 2.2;
      if (mask & 4) return baseSize * 1.9;
      return baseSize;
    }

    // Colour by role: Okabe-Ito vermillion, blue, bluish green; several roles purple.
    var ROLE_COLOURS = ["#BBBBBB", "#D55E00", "#0072B2", "#CC79A7", "#009E73", "#CC79A7", "#CC79A7", "#CC79A7"];
    var ROLE_NAMES = ["no role", "hub", "gatekeeper", "several roles", "pulsetaker"];

    function colourOf(i) {
      if (state.colourBy === "role") return ROLE_COLOURS[roleOf(i, state.view)];
      return state.colourBy === "sector" ? P.sectorColours[SECTOR[i]] : P.layerColours[LAYER[i]];
    }

    function applyNodeStyle() {
      var v = state.view;
      graph.updateEachNodeAttributes(function (node, attr) {
        var i = +node;
        attr.size = sizeFor(roleOf(i, v));
        attr.color = colourOf(i);
        return attr;
      }, { attributes: ["size", "color"] });
    }

    // Links are listed strongest first (mapdata.py). A view draws at most
    // BUDGET of its links (the page says how many of how many). Small places
    // get them at once; larger ones in growing steps after the first render:
    // each step builds a fresh graph that sigma is not yet watching (no
    // per-link events), adding STEP links per task so the page stays
    // responsive, then swaps it in with setGraph. The first step draws STEP
    // links, each later one three times as many, so the work is a small
    // multiple of the links drawn while the map fills in; it can be panned,
    // zoomed, searched and filtered throughout.
    var BUDGET = P.linkBudget || EA.length;
    var STEP = P.linkStep || EA.length;
    var VIEW_EDGES = P.viewEdges || [EA.length];
    var loadToken = 0;
    var edgeCount = 0;
    var renderer = null;

    function viewBit(view) { return view === 0 ? 0 : 1 << (view - 1); }
    function linkTarget(view) { return Math.min(VIEW_EDGES[view], BUDGET); }

    function linksMark(name, key) {
      if (!window.lisaMap || window.lisaMap[key] !== null) return;
      window.lisaMap[key] = performance.now();
      if (performance.mark) performance.mark(name);
    }

    function loadEdges(view, progressive) {
      var token = ++loadToken;
      if (window.lisaMap) { window.lisaMap.linksLoaded = false; }
      var bit = viewBit(view);
      var m = EA.length;
      var target = linkTarget(view);
      var goal = progressive ? Math.min(target, STEP) : target;
      var next = null, k = 0, count = 0;
      function fresh() {
        next = new GraphCtor();
        graph.forEachNode(function (key, attr) { next.addNode(key, Object.assign({}, attr)); });
        k = 0; count = 0;
      }
      function fill(limit) {  // add links of the view to `next` until `limit` are in
        for (; k < m && count < limit; k++) {
          if (bit === 0 || (EM[k] & bit)) { next.addEdge(EA[k], EB[k]); count++; }
        }
      }
      function swap() {
        graph = next;
        applyNodeStyle();
        edgeCount = count;
        if (renderer) renderer.setGraph(next);
        if (state.selected >= 0) showLinksOf(state.selected);
        if (window.lisaMap) window.lisaMap.graph = next;
        linksMark("lisa-map-links-first", "linksFirstAt");
      }
      function finished() {
        if (window.lisaMap) window.lisaMap.linksLoaded = true;
        linksMark("lisa-map-links-drawn", "linksAt");
        if (renderer) { refresh(); status(viewStatus()); }
      }
      fresh();
      if (!progressive || target <= STEP * 2) { fill(target); swap(); finished(); return; }
      function step() {
        if (token !== loadToken) return;
        if (window.lisaMapHoldLinks && count === 0 && edgeCount > 0) { setTimeout(step, 25); return; }
        fill(Math.min(goal, count + STEP));
        if (count < goal && k < m) { setTimeout(step, 0); return; }
        swap();
        if (goal >= target || k >= m) { finished(); return; }
        refresh();
        status("Drawing links… " + edgeCount.toLocaleString() + " of " + target.toLocaleString() +
          " drawn so far (the map can be used meanwhile).");
        goal = Math.min(target, goal * 3);
        fresh();
        setTimeout(step, 0);
      }
      setTimeout(step, 0);
    }

    // A selected person's links in the current view, all of them (the view may
    // draw only the strongest): scanned from the arrays and added to the graph.
    function linksOf(i, view) {
      var bit = viewBit(view);
      var out = [];
      for (var e = 0, m = EA.length; e < m; e++) {
        if ((EA[e] === i || EB[e] === i) && (bit === 0 || (EM[e] & bit))) out.push(EA[e] === i ? EB[e] : EA[e]);
      }
      return out;
    }

    var counted = { i: -1, view: -1, count: 0 };
    function linkCount(i) {  // for hovering: one scan per person and view
      if (counted.i !== i || counted.view !== state.view) {
        counted = { i: i, view: state.view, count: linksOf(i, state.view).length };
      }
      return counted.count;
    }

    function showLinksOf(i) {
      var others = linksOf(i, state.view);
      var key = String(i);
      others.forEach(function (j) { if (!graph.hasEdge(key, String(j))) graph.addEdge(key, String(j)); });
      state.neighbours = new Set(others.map(String));
      return others.length;
    }

    function computeVisible() {
      var roleBit = ROLE_BITS[state.role] || 0;
      var shown = 0;
      for (var i = 0; i < n; i++) {
        var ok = state.layers[LAYER[i]] && state.sectors[SECTOR[i]];
        if (ok && state.role !== "all") {
          var mask = roleOf(i, state.view);
          ok = state.role === "any" ? mask !== 0 : (mask & roleBit) !== 0;
        }
        state.visible[i] = ok ? 1 : 0;
        if (ok) shown++;
      }
      return shown;
    }

    timings.nodes = performance.now() - t0;
    var big = linkTarget(0) > STEP * 2;
    if (!big) loadEdges(0, false);
    timings.edges = performance.now() - t0;
    applyNodeStyle();
    computeVisible();

    var SigmaCtor = typeof Sigma === "function" ? Sigma : (Sigma.Sigma || Sigma.default);
    try {
      renderer = new SigmaCtor(graph, container, {
        defaultEdgeType: "line",
        defaultEdgeColor: "#c8c8c8",
        hideEdgesOnMove: n > 2000,
        labelRenderedSizeThreshold: small ? 7 : 9,
        labelDensity: 0.5,
        zIndex: true,
        minEdgeThickness: 0.5,
        nodeReducer: function (node, data) {
          var i = +node;
          if (!state.visible[i]) return { hidden: true, x: data.x, y: data.y, size: data.size, color: data.color };
          var res = { x: data.x, y: data.y, size: data.size, color: data.color, label: data.label, zIndex: 1 };
          if (state.selected >= 0) {
            if (i === state.selected) {
              res.highlighted = true; res.forceLabel = true; res.zIndex = 3; res.size = data.size * 1.8;
            } else if (state.neighbours && state.neighbours.has(node)) {
              res.zIndex = 2;
            } else {
              res.color = DIM; res.label = ""; res.zIndex = 0;
            }
          } else if (state.matches) {
            if (state.matches.has(i)) { res.highlighted = true; res.zIndex = 2; }
            else { res.color = DIM; res.label = ""; res.zIndex = 0; }
          }
          return res;
        }
      });
    } catch (err) {
      status("The interactive map needs WebGL, which this browser does not offer; the printed picture below shows the network.");
      document.body.classList.add("no-webgl");
      return;
    }

    function edgeReducer(edge, data) {
      var ex = graph.extremities(edge);
      if (+ex[0] === state.selected || +ex[1] === state.selected) {
        return { color: "#333", size: 1.5, zIndex: 1 };
      }
      return { hidden: true };
    }

    function refresh() {
      renderer.setSetting("edgeReducer", state.selected >= 0 ? edgeReducer : null);
      renderer.refresh();
    }

    function describe(i) {
      var mask = roleOf(i, state.view);
      var roles = [];
      for (var r in ROLE_BITS) if (mask & ROLE_BITS[r]) roles.push(r);
      var box = $("map-details");
      box.textContent = "";
      box.appendChild(el("h3", {}, P.labels[i]));
      var dl = el("dl", {});
      function row(k, v) { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); }
      if (!P.pseudonymised && P.ids) row("Id", P.ids[i]);
      row("Organisation", P.organisations[ORG[i]] || "—");
      row("Sector", P.sectors[SECTOR[i]] || "—");
      row("Layer", P.layers[LAYER[i]]);
      row("Roles here", roles.length ? roles.join(", ") : "none");
      row("Named by (all relations)", String(INDEG[i]));
      row("In the core of", CORES[i] + " of " + (P.views.length - 1) + " networks");
      row("Links in this view", String(state.selected === i && state.neighbours ? state.neighbours.size : linkCount(i)));
      box.appendChild(dl);
    }

    function select(i) {
      if (i < 0 || i >= n) return;
      state.selected = i;
      state.matches = null;
      showLinksOf(i);
      describe(i);
      refresh();
      var d = renderer.getNodeDisplayData(String(i));
      if (d) renderer.getCamera().animate({ x: d.x, y: d.y, ratio: Math.min(renderer.getCamera().ratio, 0.35) }, { duration: 400 });
      status("Selected: " + P.labels[i] + " (" + state.neighbours.size + " links in this view).");
    }

    function clearSelection() {
      state.selected = -1; state.neighbours = null; state.matches = null;
      $("map-details").innerHTML = '<p class="hint">Hover over or select a person to see their details.</p>';
      refresh();
    }

    // -- search -----------------------------------------------------------
    var haystack = new Array(n);
    for (var h = 0; h < n; h++) {
      haystack[h] = (P.labels[h] + " | " + (P.organisations[ORG[h]] || "") + " | " +
        (P.sectors[SECTOR[h]] || "") + (P.ids ? " | " + P.ids[h] : "")).toLowerCase();
    }
    var input = $("map-search");
    var list = $("map-search-results");
    var active = -1;
    var results = [];

    function find(q) {
      q = q.trim().toLowerCase();
      var out = [];
      if (q.length < 2) return out;
      for (var i = 0; i < n; i++) if (haystack[i].indexOf(q) >= 0) out.push(i);
      out.sort(function (a, b) {
        var la = P.labels[a].toLowerCase().indexOf(q) === 0 ? 0 : 1;
        var lb = P.labels[b].toLowerCase().indexOf(q) === 0 ? 0 : 1;
        return la - lb || INDEG[b] - INDEG[a];
      });
      return out;
    }

    function showResults(q) {
      results = find(q);
      list.textContent = "";
      active = -1;
      if (!results.length) {
        list.hidden = q.trim().length < 2;
        if (!list.hidden) list.appendChild(el("li", { role: "option", "aria-disabled": "true" }, "No match"));
        input.setAttribute("aria-expanded", String(!list.hidden));
        return;
      }
      if (results.length > 1) {
        list.appendChild(el("li", { role: "option", id: "map-opt-all", "data-i": "all" },
          "Highlight all " + results.length + " matches"));
      }
      results.slice(0, 12).forEach(function (i) {
        var txt = P.labels[i] + " — " + (P.organisations[ORG[i]] || P.sectors[SECTOR[i]] || "");
        list.appendChild(el("li", { role: "option", id: "map-opt-" + i, "data-i": String(i) }, txt));
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function choose(li) {
      if (!li || li.getAttribute("aria-disabled")) return;
      var v = li.getAttribute("data-i");
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      if (v === "all") {
        state.selected = -1; state.neighbours = null;
        state.matches = new Set(results);
        refresh();
        status("Highlighted " + results.length + " matches for '" + input.value + "'.");
      } else {
        select(+v);
      }
    }

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { showResults(input.value); }, 80);
    });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li[data-i]");
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (list.hidden) showResults(input.value);
        items = list.querySelectorAll("li[data-i]");
        if (!items.length) return;
        active = e.key === "ArrowDown" ? Math.min(active + 1, items.length - 1) : Math.max(active - 1, 0);
        items.forEach(function (it, k) { it.setAttribute("aria-selected", String(k === active)); });
        input.setAttribute("aria-activedescendant", items[active].id);
        e.preventDefault();
      } else if (e.key === "Enter") {
        clearTimeout(timer);
        if (list.hidden || !items.length) showResults(input.value);
        items = list.querySelectorAll("li[data-i]");
        if (active >= 0 && items[active]) choose(items[active]);
        else if (results.length === 1) select(results[0]);
        else if (results.length > 1) choose(list.querySelector("li[data-i='all']"));
        e.preventDefault();
      } else if (e.key === "Escape") {
        list.hidden = true; input.setAttribute("aria-expanded", "false");
      }
    });
    list.addEventListener("click", function (e) { choose(e.target.closest("li")); });
    $("map-clear").addEventListener("click", function () {
      input.value = ""; list.hidden = true; clearSelection(); status(viewStatus());
    });

    // -- filters, relation and colour -----------------------------------------
    function checkbox(parent, name, k, label, colour) {
      var lab = el("label", {});
      var box = el("input", { type: "checkbox", name: name, value: String(k), checked: "" });
      lab.appendChild(box);
      if (colour) {
        var sw = el("span", { "class": "swatch", "aria-hidden": "true" });
        sw.style.background = colour;
        lab.appendChild(sw);
      }
      lab.appendChild(document.createTextNode(" " + label));
      parent.appendChild(lab);
      return box;
    }
    var presentLayers = new Set(LAYER);
    var presentSectors = new Set(SECTOR);
    P.layers.forEach(function (name, k) {
      if (!presentLayers.has(k)) return;
      checkbox($("filter-layer"), "layer", k, name, P.layerColours[k]).addEventListener("change", function (e) {
        state.layers[k] = e.target.checked; filtersChanged();
      });
    });
    P.sectors.forEach(function (name, k) {
      if (!presentSectors.has(k)) return;
      checkbox($("filter-sector"), "sector", k, name || "no sector", P.sectorColours[k]).addEventListener("change", function (e) {
        state.sectors[k] = e.target.checked; filtersChanged();
      });
    });
    document.querySelectorAll("#filter-role input").forEach(function (r) {
      r.addEventListener("change", function (e) { state.role = e.target.value; filtersChanged(); });
    });

    function viewStatus() {
      var shown = 0;
      for (var i = 0; i < n; i++) shown += state.visible[i];
      var total = VIEW_EDGES[state.view];
      var links = edgeCount < total
        ? edgeCount.toLocaleString() + " of " + total.toLocaleString() + " links (the strongest)"
        : edgeCount.toLocaleString() + " links";
      return "Showing " + shown.toLocaleString() + " of " + n.toLocaleString() + " people and " +
        links + ": " + P.views[state.view].label + ".";
    }

    function filtersChanged() {
      computeVisible();
      refresh();
      status(viewStatus());
    }

    $("map-relation").addEventListener("change", function (e) {
      var v = 0;
      P.views.forEach(function (view, k) { if (view.name === e.target.value) v = k; });
      state.view = v;
      applyNodeStyle();
      computeVisible();
      loadEdges(v, true);
      refresh();
      status(viewStatus());
      $("map-canvas").setAttribute("data-view", P.views[v].name);
    });
    $("map-colour").addEventListener("change", function (e) {
      state.colourBy = e.target.value;
      applyNodeStyle();
      legend();
      refresh();
    });

    function legend() {
      var box = $("map-legend");
      box.textContent = "";
      var byRole = state.colourBy === "role";
      var names = byRole ? ROLE_NAMES : state.colourBy === "sector" ? P.sectors : P.layers;
      var colours = byRole ? [ROLE_COLOURS[0], ROLE_COLOURS[1], ROLE_COLOURS[2], ROLE_COLOURS[3], ROLE_COLOURS[4]]
        : state.colourBy === "sector" ? P.sectorColours : P.layerColours;
      var present = byRole ? new Set([0, 1, 2, 3, 4]) : state.colourBy === "sector" ? presentSectors : presentLayers;
      var ul = el("ul", {});
      names.forEach(function (name, k) {
        if (!present.has(k)) return;
        var li = el("li", {});
        var sw = el("span", { "class": "swatch", "aria-hidden": "true" });
        sw.style.background = colours[k];
        li.appendChild(sw);
        li.appendChild(document.createTextNode(" " + (name || "none")));
        ul.appendChild(li);
      });
      box.appendChild(el("p", { "class": "legend-title" }, "Colour: " + state.colourBy + ". Size: hub > gatekeeper > pulsetaker > others."));
      box.appendChild(ul);
    }
    legend();

    // -- pointer and keyboard ----------------------------------------------------
    renderer.on("enterNode", function (e) { describe(+e.node); });
    renderer.on("leaveNode", function () {
      if (state.selected >= 0) describe(state.selected);
    });
    renderer.on("clickNode", function (e) { select(+e.node); });
    renderer.on("clickStage", function () { if (state.selected >= 0) { clearSelection(); status(viewStatus()); } });

    var camera = renderer.getCamera();
    function zoom(f) { camera.animate({ ratio: camera.ratio / f }, { duration: 200 }); }
    $("zoom-in").addEventListener("click", function () { zoom(1.5); });
    $("zoom-out").addEventListener("click", function () { zoom(1 / 1.5); });
    $("zoom-reset").addEventListener("click", function () { camera.animate({ x: 0.5, y: 0.5, ratio: 1, angle: 0 }, { duration: 300 }); });
    container.addEventListener("keydown", function (e) {
      var step = 0.1 * camera.ratio;
      var s = camera.getState();
      if (e.key === "ArrowLeft") camera.setState({ x: s.x - step });
      else if (e.key === "ArrowRight") camera.setState({ x: s.x + step });
      else if (e.key === "ArrowUp") camera.setState({ y: s.y + step });
      else if (e.key === "ArrowDown") camera.setState({ y: s.y - step });
      else if (e.key === "+" || e.key === "=") zoom(1.5);
      else if (e.key === "-") zoom(1 / 1.5);
      else if (e.key === "Escape") clearSelection();
      else return;
      e.preventDefault();
    });

    timings.sigma = performance.now() - t0;
    var api = {
      timings: timings,
      sigma: renderer, graph: graph, state: state, select: select, find: find,
      clear: clearSelection, ready: false, readyAt: null, edges: function () { return graph.size; },
      drawn: function () { return edgeCount; }, total: function () { return VIEW_EDGES[state.view]; },
      linksLoaded: !big, linksAt: null, linksFirstAt: null
    };
    window.lisaMap = api;
    renderer.once("afterRender", function () {
      api.ready = true;
      api.readyAt = performance.now();
      if (performance.mark) performance.mark("lisa-map-interactive");
      container.setAttribute("data-ready", "true");
      if (big) loadEdges(0, true);
      else {
        api.linksAt = api.linksFirstAt = api.readyAt;
        if (performance.mark) { performance.mark("lisa-map-links-first"); performance.mark("lisa-map-links-drawn"); }
        status(viewStatus());
      }
    });
    renderer.refresh();
    api.setupMs = performance.now() - t0;
    api.scriptStart = t0;
  }

  var t0 = performance.now();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
