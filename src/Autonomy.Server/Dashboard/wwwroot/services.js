// The Services page: every service and its replicas, kept current by the server's event stream
// (GET /v1/services/events), with restart, scale and stop for a session that may act.
import { act } from "./api.js";

const columns = ["Service / replica", "State", "Health", "Restarts", "Uptime", "Port", "CPU", "Memory", "Last check"];
const numeric = new Set(["Restarts", "Uptime", "Port", "CPU", "Memory"]);

export function servicesPage(host, { session, notice, live, sessionLost }) {
  const table = document.createElement("table");
  table.className = "grid";
  table.id = "services";
  const head = document.createElement("tr");
  for (const name of session.canAct ? [...columns, "Actions"] : columns) {
    head.append(cell("th", name, numeric.has(name) || name === "Actions" ? "num" : ""));
  }
  const body = document.createElement("tbody");
  body.append(emptyRow("Loading…"));
  table.createTHead().append(head);
  table.append(body);
  const scroller = document.createElement("div");
  scroller.className = "scroll";
  scroller.append(table);
  host.append(scroller);

  const rows = new Map(); // service name -> its row, kept across updates so that a half-typed replica count survives them
  let receivedAt = performance.now();
  const events = new EventSource("/v1/services/events");
  events.addEventListener("open", () => live(true, "live"));
  events.addEventListener("services", (event) => {
    receivedAt = performance.now();
    render(JSON.parse(event.data));
  });
  events.addEventListener("error", async () => {
    live(false, "reconnecting…");
    // EventSource retries by itself, except after a refusal: then the session is what ended.
    if (events.readyState === EventSource.CLOSED) {
      const response = await fetch("/ui/session", { credentials: "same-origin" });
      if (response.status === 401) sessionLost();
    }
  });
  // Uptimes count on between events.
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - receivedAt) / 1000;
    for (const td of body.querySelectorAll("td[data-uptime]")) td.textContent = duration(Number(td.dataset.uptime) + elapsed);
  }, 1000);

  function render(services) {
    const children = [];
    for (const service of services) {
      const row = rows.get(service.name) || serviceRow(service);
      rows.set(service.name, row);
      updateServiceRow(row, service);
      children.push(row);
      for (const replica of service.replicas || []) children.push(replicaRow(service, replica));
    }
    for (const name of [...rows.keys()]) if (!services.some((s) => s.name === name)) rows.delete(name);
    body.replaceChildren(...(children.length ? children : [emptyRow("No services.")]));
  }

  function serviceRow(service) {
    const row = document.createElement("tr");
    row.className = "service";
    row.dataset.service = service.name;
    for (let i = 0; i < columns.length; i++) row.append(cell("td", "", numeric.has(columns[i]) ? "num" : ""));
    if (session.canAct) row.append(actionsCell(service.name));
    return row;
  }

  function updateServiceRow(row, service) {
    const replicas = service.replicas || [];
    const restarts = replicas.reduce((sum, r) => sum + (r.restarts || 0), 0);
    const [name, state, health, restartCell, , port, cpu, memory] = row.cells;
    name.textContent = `${service.name}${service.runs ? ` (${service.runs})` : ""} · ${replicas.length} ${replicas.length === 1 ? "replica" : "replicas"}`;
    state.replaceChildren(pill(service.state));
    health.replaceChildren(pill(service.health));
    restartCell.textContent = restarts;
    port.textContent = service.port || "—";
    cpu.textContent = sum(replicas, cpuOf, (v) => `${v.toFixed(1)}%`);
    memory.textContent = sum(replicas, memoryOf, bytes);
    if (session.canAct) {
      const input = row.querySelector("input");
      if (document.activeElement !== input && !input.dataset.edited) input.value = replicas.length;
    }
  }

  function replicaRow(service, replica) {
    const row = document.createElement("tr");
    row.className = "replica";
    row.dataset.replica = replica.id;
    row.dataset.of = service.name;
    row.append(cell("td", replica.id, "mono"));
    row.append(wrap(pill(replica.state)), wrap(pill(replica.health)));
    row.append(cell("td", replica.restarts ?? 0, "num"));
    const uptime = cell("td", replica.uptime == null ? "—" : duration(replica.uptime), "num");
    if (replica.uptime != null) uptime.dataset.uptime = replica.uptime;
    row.append(uptime, cell("td", replica.port || "—", "num"));
    row.append(cell("td", cpuOf(replica) == null ? "—" : `${cpuOf(replica).toFixed(1)}%`, "num"));
    row.append(cell("td", memoryOf(replica) == null ? "—" : bytes(memoryOf(replica)), "num"));
    const check = replica.lastCheck ?? replica.last_check;
    const last = cell("td", check ? check.trim() : "—", "check mono");
    if (check) last.title = check;
    row.append(last);
    if (session.canAct) row.append(cell("td", ""));
    return row;
  }

  function actionsCell(name) {
    const td = document.createElement("td");
    const box = document.createElement("div");
    box.className = "actions";
    const count = Object.assign(document.createElement("input"), { type: "number", min: 0, max: 1000, title: "Replicas" });
    count.setAttribute("aria-label", `Replicas of ${name}`);
    count.addEventListener("input", () => { count.dataset.edited = "1"; });
    const scale = button("Scale", `Scale ${name}`, async () => {
      const replicas = Number(count.value);
      delete count.dataset.edited;
      await run(box, `Scaling ${name} to ${replicas}…`, () => act("POST", `/v1/services/${encodeURIComponent(name)}/scale`, { replicas }));
    });
    count.addEventListener("keydown", (e) => { if (e.key === "Enter") scale.click(); });
    const restart = button("Restart", `Restart ${name}`, () =>
      run(box, `Restarting ${name}, one replica at a time…`, () => act("POST", `/v1/services/${encodeURIComponent(name)}/restart`)));
    const stop = button("Stop", `Stop ${name}`, async () => {
      if (!confirm(`Stop every replica of ${name}? Scale it up again to start it.`)) return;
      await run(box, `Stopping ${name}…`, () => act("POST", `/v1/services/${encodeURIComponent(name)}/scale`, { replicas: 0 }));
    });
    stop.classList.add("danger");
    box.append(count, scale, restart, stop);
    td.append(box);
    return td;
  }

  async function run(box, doing, action) {
    const buttons = box.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    notice(doing, "info");
    try {
      await action();
      notice("");
    } catch (e) {
      if (e.status === 401) sessionLost(); else notice(e.message);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  return () => { events.close(); clearInterval(ticker); };
}

// Usage figures come from the server when it measures them; either spelling is read, and a missing one shows "—".
function cpuOf(replica) { return replica.cpuPercent ?? null; }
function memoryOf(replica) { return replica.memoryBytes ?? null; }

function sum(replicas, of, format) {
  const values = replicas.map(of).filter((v) => typeof v === "number");
  return values.length ? format(values.reduce((a, b) => a + b, 0)) : "—";
}

function cell(tag, text, className = "") {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function wrap(child) {
  const td = document.createElement("td");
  td.append(child);
  return td;
}

function pill(text) {
  const span = document.createElement("span");
  span.className = `pill ${text}`;
  span.textContent = text;
  return span;
}

function button(text, label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

function emptyRow(text) {
  const row = document.createElement("tr");
  row.className = "empty";
  const td = cell("td", text);
  td.colSpan = 10;
  row.append(td);
  return row;
}

function duration(seconds) {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
