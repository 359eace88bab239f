// The live topology page: polls /api/network (the control socket's query-network) once a second and
// draws each hub or switch with its ports around it; rates are the byte counters' change between polls.
"use strict";

const POLL_MS = 1000;
const SVG = "http://www.w3.org/2000/svg";
let previous = null; // { at: ms, bytes: Map(portKey -> {rx, tx}) }

function el(tag, attrs, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Texts drawn where their room is fixed (a long switch id in the hub's circle, a long port label in its box)
 * carry data-fit, their room in the drawing's units: once drawn, one that is wider is squeezed into it, and the
 * whole text is its tooltip. Measured, not guessed from the characters: fonts differ.
 */
function fitTexts(root) {
  for (const t of root.querySelectorAll("text[data-fit]")) {
    const room = Number(t.getAttribute("data-fit"));
    if (t.getComputedTextLength() > room) {
      t.setAttribute("textLength", room);
      t.setAttribute("lengthAdjust", "spacingAndGlyphs");
      t.append(el("svg:title", {}, t.textContent));
    }
  }
}

function rate(bitsPerSecond) {
  if (bitsPerSecond < 1) return "idle";
  const units = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s"];
  let i = 0;
  while (bitsPerSecond >= 1000 && i < units.length - 1) { bitsPerSecond /= 1000; i++; }
  return bitsPerSecond.toFixed(bitsPerSecond < 10 ? 1 : 0) + " " + units[i];
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

/** An address and port as one would type them: an IPv6 address in brackets (RFC 3986 section 3.2.2), [::1]:22. */
function endpoint(address, port) {
  return (String(address).includes(":") ? "[" + address + "]" : address) + ":" + port;
}

/** What is known of each MAC: its lease (address, hostname) from the user networks of this hub. */
function leasesByMac(hub) {
  const leases = new Map();
  for (const n of hub.netdevs) {
    for (const l of (n.state && n.state.leases) || []) leases.set(l.mac, l);
  }
  return leases;
}

/** A netdev's setting as info network shows it ("host" of "net=10.0.2.0/24,host=10.0.2.2"), or undefined. */
function setting(n, key) {
  return ((n.info || "").match(new RegExp("(?:^|,)" + key + "=([^,]+)")) || [])[1];
}

/** One row per port of the hub: its netdev, counters, MACs (from the switch's table) and their leases. */
function portsOf(hub, now) {
  const macsByPort = new Map();
  for (const m of (hub.switch && hub.switch["mac-table"]) || []) {
    if (!macsByPort.has(m.port)) macsByPort.set(m.port, []);
    macsByPort.get(m.port).push({ mac: m.mac, vlan: m.vlan }); // on a trunk a MAC may be learnt in several VLANs
  }
  const leases = leasesByMac(hub);
  const ports = [];
  for (const n of hub.netdevs) {
    const gateway = n.type === "user" ? setting(n, "host") : undefined;
    const address = n.type === "tap" ? setting(n, "address") : undefined; // configure=on's
    if (n.ports.length === 0) { // a listening netdev that no VM has joined yet
      ports.push({ key: hub.hub + "/" + n.id, id: n.id, netdev: n.id, type: n.type, link: "listening", hosts: [],
        rxBytes: 0, txBytes: 0, dropped: 0, errors: 0, rxRate: 0, txRate: 0 });
    }
    for (const p of n.ports) {
      const key = hub.hub + "/" + p.id;
      const before = previous && previous.bytes.get(key);
      const seconds = previous ? (now - previous.at) / 1000 : 0;
      const macs = macsByPort.get(p.id) || [];
      ports.push({
        key, id: p.id, netdev: n.id, type: n.type, link: p.link, vlan: p.vlan, gateway, address,
        rxBytes: p["rx-bytes"], txBytes: p["tx-bytes"], dropped: p["tx-dropped"], errors: p["rx-errors"],
        rxRate: before && seconds > 0 ? Math.max(0, p["rx-bytes"] - before.rx) * 8 / seconds : 0,
        txRate: before && seconds > 0 ? Math.max(0, p["tx-bytes"] - before.tx) * 8 / seconds : 0,
        hosts: macs.map(m => ({ mac: m.mac, vlan: m.vlan, lease: leases.get(m.mac) })),
      });
    }
  }
  return ports;
}

function drawTopology(hub, ports) {
  // a phone's width gets a smaller drawing of the same text size, not the big one shrunk to unreadable
  const narrow = window.innerWidth < 600;
  const size = narrow ? 420 : 640, center = size / 2, radius = narrow ? 150 : ports.length > 8 ? 235 : 205;
  const svg = el("svg:svg", { class: "topology", viewBox: `0 0 ${size} ${size}`, role: "img",
    "aria-label": "hub " + hub.hub + " and its ports" });
  ports.forEach((p, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(ports.length, 1);
    p.x = center + radius * Math.cos(angle);
    p.y = center + radius * Math.sin(angle);
    p.angle = angle;
    const busy = p.rxRate + p.txRate >= 8000;
    svg.append(el("svg:line", { class: "link" + (busy ? " busy" : ""), x1: center, y1: center, x2: p.x, y2: p.y }));
  });
  const rates = []; // drawn over the port boxes: a box beside a level link covered its label
  for (const p of ports) {
    // the rates beside the link, past the hub's circle and short of the box, on the side away from the line
    const mx = center + 0.45 * (p.x - center), my = center + 0.45 * (p.y - center), right = Math.cos(p.angle) >= 0;
    rates.push(el("svg:text", { class: "rate", x: mx + (right ? 8 : -8), y: my + (Math.sin(p.angle) < 0 ? -6 : 14),
      "text-anchor": right ? "start" : "end" }, "in " + rate(p.rxRate) + " · out " + rate(p.txRate)));
  }
  svg.append(el("svg:circle", { class: "hubnode", cx: center, cy: center, r: 50 }));
  if (hub.switch) { // the switch's id, and what it is on
    svg.append(el("svg:text", { class: "hubname", x: center, y: center - 4, "text-anchor": "middle", "data-fit": 90 }, hub.switch.id));
    svg.append(el("svg:text", { class: "hubname", x: center, y: center + 12, "text-anchor": "middle", "data-fit": 90 }, "switch, hub " + hub.hub));
  } else { // one line: "hub" above "hub 0" said it twice
    svg.append(el("svg:text", { class: "hubname", x: center, y: center + 4, "text-anchor": "middle" }, "hub " + hub.hub));
  }
  for (const p of ports) {
    const lines = [p.id + " (" + p.type + (p.link === "listening" ? ", waiting for VMs" : "") + ")"];
    if (p.gateway) lines.push("gateway " + p.gateway);
    if (p.address) lines.push("address " + p.address);
    for (const h of p.hosts.slice(0, 3)) {
      lines.push(h.mac + (h.vlan ? "  vlan " + h.vlan : "") + (h.lease ? "  " + h.lease.address : ""));
      if (h.lease && h.lease.hostname) lines.push("  " + h.lease.hostname);
    }
    if (p.hosts.length > 3) lines.push("+" + (p.hosts.length - 3) + " more MACs");
    const w = narrow ? 168 : 186, h = 18 + 14 * lines.length;
    const g = el("svg:g", { class: "port" + (p.gateway ? " gateway" : "") + (p.link === "up" ? "" : p.link === "listening" ? " listening" : " down"),
      "data-port": p.id, "data-link": p.link, transform: `translate(${Math.min(size - w - 2, Math.max(2, p.x - w / 2))},${Math.min(size - h - 2, Math.max(2, p.y - h / 2))})` });
    g.append(el("svg:rect", { width: w, height: h, rx: 6 }));
    lines.forEach((line, i) => g.append(el("svg:text", { x: 8, y: 16 + 14 * i, class: i === 0 ? "" : "small", "data-fit": w - 14 }, line)));
    svg.append(g);
  }
  rates.forEach(r => svg.append(r));
  return svg;
}

// a titled table: the title and its legend wrap to the window, the table alone scrolls sideways when wider
function table(title, headings, rows, legend) {
  const block = el("div", { class: "block" });
  block.append(el("h3", {}, title));
  if (legend) block.append(el("p", { class: "legend" }, legend));
  const scroll = el("div", { class: "scroll" });
  const t = el("table");
  scroll.append(t);
  block.append(scroll);
  const head = el("tr");
  headings.forEach(h => head.append(el("th", { class: h.endsWith("#") ? "num" : "" }, h.replace(/#$/, ""))));
  t.append(head);
  for (const r of rows) {
    const tr = el("tr");
    r.forEach((cell, i) => tr.append(el("td", { class: headings[i].endsWith("#") ? "num" : "" }, String(cell ?? ""))));
    t.append(tr);
  }
  if (rows.length === 0) {
    const tr = el("tr");
    tr.append(el("td", { colspan: headings.length, class: "muted" }, "none"));
    t.append(tr);
  }
  return block;
}

function drawHub(hub, now) {
  const ports = portsOf(hub, now);
  const section = el("section", { class: "hub", "data-hub": hub.hub });
  const attached = ports.filter(p => p.link !== "listening").length;
  const listening = ports.length - attached; // netdevs that no VM has joined yet: rows of the table, no port yet
  section.append(el("h2", {}, (hub.switch ? "Switch " + hub.switch.id + " on hub " : "Hub ") + hub.hub
    + " — " + attached + (attached === 1 ? " port" : " ports") + (listening > 0 ? ", " + listening + " listening" : "")));
  const layout = el("div", { class: "layout" });
  layout.append(drawTopology(hub, ports));
  const tables = el("div", { class: "tables" });
  tables.append(table("Ports", ["port", "type", "link", "in/s#", "out/s#", "in#", "out#", "dropped#", "errors#"],
    ports.map(p => [p.id + (p.vlan ? " [" + p.vlan + "]" : ""), p.type, p.link, rate(p.rxRate), rate(p.txRate),
      bytes(p.rxBytes), bytes(p.txBytes), p.dropped, p.errors]),
    "in: from the port's VM or peer; out: to it; dropped: out, lost; errors: in, refused"));
  for (const n of hub.netdevs.filter(n => n.type === "user" && n.state)) {
    const s = n.state;
    tables.append(table(n.id + ": leases", ["address", "MAC", "hostname", "expires"],
      (s.leases || []).map(l => [l.address, l.mac, l.hostname, l.expires])));
    tables.append(table(n.id + ": host forwards", ["protocol", "host", "guest"],
      (s.forwards || []).map(f => [f.protocol, endpoint(f["host-address"], f["host-port"]),
        endpoint(f["guest-address"] || "?", f["guest-port"])])));
    tables.append(table(n.id + ": TCP connections", ["guest", "remote", "state", "queued to guest#", "queued to host#"],
      (s.tcp || []).map(c => [endpoint(c["guest-address"], c["guest-port"]), endpoint(c["remote-address"], c["remote-port"]),
        c.state, bytes(c["queued-to-guest-bytes"]), bytes(c["queued-to-host-bytes"])])));
    tables.append(table(n.id + ": UDP flows", ["guest", "idle s#"],
      (s.udp || []).map(u => [endpoint(u["guest-address"], u["guest-port"]) + (u.dns ? " (dns)" : ""), u["idle-seconds"]])));
    tables.append(table(n.id + ": not handled", ["cause", "count#"],
      Object.entries(s.dropped || {}).filter(([, count]) => count > 0),
      "frames and datagrams dropped since start, by cause, as /metrics counts them"));
  }
  layout.append(tables);
  section.append(layout);
  return { section, ports };
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("/api/network", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const hubs = await response.json();
    const now = Date.now();
    const main = document.getElementById("hubs");
    const sections = [];
    const seen = new Map();
    for (const hub of hubs) {
      const { section, ports } = drawHub(hub, now);
      sections.push(section);
      ports.forEach(p => seen.set(p.key, { rx: p.rxBytes, tx: p.txBytes }));
    }
    main.replaceChildren(...sections);
    fitTexts(main);
    previous = { at: now, bytes: seen };
    status.className = "";
    status.textContent = "updated " + new Date(now).toLocaleTimeString();
  } catch (e) {
    status.className = "error";
    status.textContent = "cannot reach vnet4j (" + e.message + "); retrying";
  }
  setTimeout(poll, POLL_MS);
}

poll();
