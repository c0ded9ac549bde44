// The live web view's one page, served at `/` by the status server when the web view is on. Plain
// HTML, CSS and JavaScript with inline SVG, no framework and nothing to build: the page opens an
// EventSource on `/events` and redraws on every view (web-view.ts): the peer graph (one ring of nodes
// per wire, remote peers of a single node on an outer ring), the throughput and round-trip charts
// (the last CHART_POINTS views), and the selected node's drill-down. Everything from the server is
// inserted as text, never as HTML. Elements carry data attributes that the browser test reads.

/** Points each chart keeps: two minutes at one view per second. */
export const CHART_POINTS = 120;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>peerwire</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 0; background: #0f1419; color: #d8dee9; }
  header { padding: 10px 16px; background: #1a2029; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 16px; margin: 0; }
  .muted { color: #8a94a6; }
  main { display: grid; grid-template-columns: minmax(420px, 1.2fr) 1fr; gap: 12px; padding: 12px 16px; }
  section { background: #161b22; border-radius: 6px; padding: 10px; }
  h2 { font-size: 13px; margin: 0 0 6px; color: #aab4c3; font-weight: 600; }
  svg text { fill: #d8dee9; font-size: 11px; }
  .edge.cometbft { stroke: #4f9cf0; } .edge.zcash { stroke: #f0b44f; }
  .edge { stroke-width: 1.5; stroke-opacity: 0.75; }
  .node circle { stroke: #0f1419; stroke-width: 2; cursor: pointer; }
  .node.cometbft circle { fill: #4f9cf0; } .node.zcash circle { fill: #f0b44f; }
  .node.remote circle { fill: #161b22; stroke-width: 2; } .node.remote.cometbft circle { stroke: #4f9cf0; } .node.remote.zcash circle { stroke: #f0b44f; }
  .node.selected circle { stroke: #ffffff; stroke-width: 3; }
  .chart polyline { fill: none; stroke-width: 2; }
  .chart .a { stroke: #7bd88f; } .chart .b { stroke: #e06c75; }
  .chart .axis { stroke: #333b47; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 2px 8px 2px 0; border-bottom: 1px solid #232a33; white-space: nowrap; }
  th { color: #8a94a6; font-weight: 500; }
  td.num, th.num { text-align: right; }
  #details { grid-column: 1 / span 2; }
  .legend span { margin-right: 12px; }
  .sw { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 4px; vertical-align: middle; }
</style>
</head>
<body>
<header>
  <h1 id="title">peerwire</h1>
  <span id="phase" class="muted">connecting…</span>
  <span class="muted">updates: <span id="updates">0</span></span>
  <span class="muted legend"><span><i class="sw" style="background:#4f9cf0"></i>CometBFT</span><span><i class="sw" style="background:#f0b44f"></i>Zcash</span></span>
</header>
<main>
  <section>
    <h2>Peer graph <span class="muted" id="graph-count"></span></h2>
    <svg id="graph" viewBox="0 0 640 420" width="100%" role="img" aria-label="peer graph"></svg>
  </section>
  <section>
    <h2>Throughput (bytes/s received) <span class="muted" id="throughput-now"></span></h2>
    <svg id="chart-throughput" class="chart" viewBox="0 0 400 150" width="100%"></svg>
    <h2>Round trip (ms): <span style="color:#7bd88f">p50</span> <span style="color:#e06c75">p99</span> <span class="muted" id="rtt-now"></span></h2>
    <svg id="chart-rtt" class="chart" viewBox="0 0 400 150" width="100%"></svg>
  </section>
  <section id="details">
    <h2>Node <span id="detail-title">(select a node in the graph)</span></h2>
    <div id="detail-body"></div>
  </section>
</main>
<script>
"use strict";
var CHART_POINTS = ${CHART_POINTS};
var NS = "http://www.w3.org/2000/svg";
var throughput = [];
var rttP50 = [];
var rttP99 = [];
var updates = 0;
var selected = null;
var lastView = null;

function el(name, attrs, text) {
  var e = document.createElementNS(NS, name);
  for (var k in attrs) e.setAttribute(k, String(attrs[k]));
  if (text !== undefined) e.textContent = text;
  return e;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function push(list, value) { list.push(value); if (list.length > CHART_POINTS) list.shift(); }
function bytes(n) {
  if (n >= 1048576) return (n / 1048576).toFixed(1) + " MiB";
  if (n >= 1024) return (n / 1024).toFixed(1) + " KiB";
  return Math.round(n) + " B";
}
function ms(v) { return v === undefined || v === null ? "-" : v < 10 ? v.toFixed(2) : v.toFixed(1); }

function layout(view) {
  var wires = [];
  view.nodes.forEach(function (n) { if (wires.indexOf(n.wire) < 0) wires.push(n.wire); });
  var pos = {};
  var width = 640, height = 420;
  wires.forEach(function (wire, w) {
    var cx = width * (w + 0.5) / wires.length, cy = height / 2;
    var radius = Math.min(width / wires.length, height) * 0.3;
    var local = view.nodes.filter(function (n) { return n.wire === wire && n.local; });
    var remote = view.nodes.filter(function (n) { return n.wire === wire && !n.local; });
    local.forEach(function (n, i) {
      var a = local.length === 1 ? 0 : 2 * Math.PI * i / local.length - Math.PI / 2;
      var r = local.length === 1 ? 0 : radius;
      pos[n.key] = { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
    });
    remote.forEach(function (n, i) {
      var a = 2 * Math.PI * i / Math.max(1, remote.length) - Math.PI / 2;
      pos[n.key] = { x: cx + radius * 1.45 * Math.cos(a), y: cy + radius * 1.45 * Math.sin(a) };
    });
  });
  return pos;
}

function drawGraph(view) {
  var svg = document.getElementById("graph");
  clear(svg);
  var pos = layout(view);
  view.edges.forEach(function (e) {
    var a = pos[e.from], b = pos[e.to];
    if (!a || !b) return;
    svg.appendChild(el("line", { "class": "edge " + e.wire, x1: a.x, y1: a.y, x2: b.x, y2: b.y, "data-from": e.from, "data-to": e.to }));
  });
  view.nodes.forEach(function (n) {
    var p = pos[n.key];
    var g = el("g", { "class": "node " + n.wire + (n.local ? "" : " remote") + (n.key === selected ? " selected" : ""), "data-key": n.key, transform: "translate(" + p.x + "," + p.y + ")" });
    g.appendChild(el("circle", { r: n.local ? 11 : 7 }));
    g.appendChild(el("text", { x: 14, y: 4 }, n.label));
    g.addEventListener("click", function () { selected = n.key; if (lastView) render(lastView); });
    svg.appendChild(g);
  });
  document.getElementById("graph-count").textContent = view.nodes.length + " nodes, " + view.edges.length + " edges";
}

function drawChart(id, series, classes) {
  var svg = document.getElementById(id);
  clear(svg);
  var w = 400, h = 150, pad = 4;
  var max = 1;
  series.forEach(function (s) { s.forEach(function (v) { if (v !== null && v > max) max = v; }); });
  svg.appendChild(el("line", { "class": "axis", x1: 0, y1: h - pad, x2: w, y2: h - pad }));
  svg.appendChild(el("text", { x: 4, y: 12 }, id === "chart-rtt" ? ms(max) + " ms" : bytes(max) + "/s"));
  series.forEach(function (s, i) {
    var points = [];
    s.forEach(function (v, j) {
      if (v === null) return;
      var x = (w * j) / Math.max(1, CHART_POINTS - 1);
      var y = h - pad - ((h - 2 * pad - 14) * v) / max;
      points.push(x.toFixed(1) + "," + y.toFixed(1));
    });
    svg.appendChild(el("polyline", { "class": classes[i], points: points.join(" "), "data-points": points.length }));
  });
}

function table(headers, rows, numeric) {
  var t = document.createElement("table");
  var head = document.createElement("tr");
  headers.forEach(function (h, i) { var th = document.createElement("th"); th.textContent = h; if (numeric[i]) th.className = "num"; head.appendChild(th); });
  t.appendChild(head);
  rows.forEach(function (r) {
    var tr = document.createElement("tr");
    r.forEach(function (c, i) { var td = document.createElement("td"); td.textContent = c; if (numeric[i]) td.className = "num"; tr.appendChild(td); });
    t.appendChild(tr);
  });
  return t;
}

function drawDetails(view) {
  var body = document.getElementById("detail-body");
  clear(body);
  if (selected === null || !view.details[selected]) {
    var first = view.nodes.filter(function (n) { return n.local; })[0];
    if (!first) return;
    selected = first.key;
  }
  var d = view.details[selected];
  document.getElementById("detail-title").textContent = selected + "  " + d.id + (d.listen ? "  listening on " + d.listen : "");
  var h = document.createElement("h2"); h.textContent = "Peers (" + d.peers.length + ")"; body.appendChild(h);
  body.appendChild(table(["peer", "direction", "address", "connected", "bytes in", "bytes out", "queued", "rtt ms"],
    d.peers.map(function (p) { return [p.id.length > 20 ? p.id.slice(0, 20) + "…" : p.id, p.direction, p.address, p.connectedForSeconds + " s", bytes(p.bytesIn), bytes(p.bytesOut), bytes(p.queuedBytes), ms(p.rttMs)]; }),
    [false, false, false, true, true, true, true, true]));
  var h2 = document.createElement("h2"); h2.textContent = "Channels: inbound queue depth"; body.appendChild(h2);
  body.appendChild(table(["channel", "queued"], d.channels.map(function (c) { return ["0x" + c.id.toString(16), String(c.queued)]; }), [false, true]));
  var h3 = document.createElement("h2"); h3.textContent = "Peer store"; body.appendChild(h3);
  var keys = Object.keys(d.peerStore);
  body.appendChild(table(keys, [keys.map(function (k) { return String(d.peerStore[k]); })], keys.map(function () { return true; })));
}

function render(view) {
  lastView = view;
  document.getElementById("title").textContent = view.title;
  document.getElementById("phase").textContent = view.phase + " · " + new Date(view.at).toLocaleTimeString();
  drawGraph(view);
  drawChart("chart-throughput", [throughput], ["a"]);
  drawChart("chart-rtt", [rttP50, rttP99], ["a", "b"]);
  document.getElementById("throughput-now").textContent = bytes(view.bytesPerSecond) + "/s, " + Math.round(view.messagesPerSecond) + " msg/s";
  document.getElementById("rtt-now").textContent = "p50 " + ms(view.rttP50Ms) + ", p99 " + ms(view.rttP99Ms);
  drawDetails(view);
}

var source = new EventSource("/events");
source.onmessage = function (event) {
  var view = JSON.parse(event.data);
  updates++;
  document.getElementById("updates").textContent = String(updates);
  push(throughput, view.bytesPerSecond);
  push(rttP50, view.rttP50Ms === undefined ? null : view.rttP50Ms);
  push(rttP99, view.rttP99Ms === undefined ? null : view.rttP99Ms);
  render(view);
};
source.onerror = function () { document.getElementById("phase").textContent = "disconnected (retrying)"; };
</script>
</body>
</html>
`;
