// The dashboard's shell: sign-in, the left navigation and the page shown for the address's #/page.
import { loadSession, signIn, signOut, getJson, currentSession } from "./api.js";
import { servicesPage } from "./services.js";

const pages = [
  { id: "services", title: "Services", render: servicesPage },
  { id: "logs", title: "Logs" },
  { id: "config", title: "Config" },
  { id: "secrets", title: "Secrets" },
  { id: "messaging", title: "Messaging" },
  { id: "databases", title: "Databases" },
  { id: "gateway", title: "Gateway" },
  { id: "audit", title: "Audit" },
];

const $ = (id) => document.getElementById(id);
let leave = null;

async function start() {
  $("signin-form").addEventListener("submit", onSignIn);
  $("signout").addEventListener("click", async () => { await signOut(); showSignIn(); });
  window.addEventListener("hashchange", route);
  if (await loadSession()) showShell(); else showSignIn();
}

async function onSignIn(event) {
  event.preventDefault();
  const error = $("signin-error");
  error.hidden = true;
  try {
    await signIn($("token").value);
    $("token").value = "";
    showShell();
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
}

function showSignIn() {
  leave?.(); leave = null;
  $("shell").hidden = true;
  $("signin").hidden = false;
  $("token").focus();
}

/** Called by a page that finds its session gone (signed out elsewhere, the server restarted). */
export function sessionLost() {
  showSignIn();
  const error = $("signin-error");
  error.textContent = "The session has ended: sign in again.";
  error.hidden = false;
}

function showShell() {
  const session = currentSession();
  $("signin").hidden = true;
  $("shell").hidden = false;
  $("actor").textContent = session.actor;
  $("role").textContent = session.role;
  document.body.classList.toggle("read-only", !session.canAct);
  getJson("/v1/status").then((status) => { $("project").textContent = `project ${status.project}`; }, () => {});
  route();
}

function route() {
  if ($("shell").hidden) return;
  const id = location.hash.replace(/^#\/?/, "") || "services";
  const page = pages.find((p) => p.id === id) || pages[0];
  const list = $("pages");
  list.replaceChildren(...pages.map((p) => {
    const link = document.createElement("a");
    link.href = `#/${p.id}`;
    link.textContent = p.title;
    if (p === page) link.setAttribute("aria-current", "page");
    if (!p.render) {
      link.classList.add("coming");
      const soon = document.createElement("small");
      soon.textContent = "coming";
      link.append(soon);
    }
    const item = document.createElement("li");
    item.append(link);
    return item;
  }));
  leave?.(); leave = null;
  $("title").textContent = page.title;
  $("notice").hidden = true;
  $("live").textContent = "";
  $("live").className = "live";
  const host = $("page");
  host.replaceChildren();
  if (page.render) {
    leave = page.render(host, { session: currentSession(), notice, live: setLive, sessionLost });
  } else {
    const box = document.createElement("div");
    box.className = "coming-page";
    box.textContent = `The ${page.title} page is coming.`;
    host.append(box);
  }
}

function notice(text, kind = "error") {
  const box = $("notice");
  box.textContent = text;
  box.className = kind === "error" ? "notice" : "notice info";
  box.hidden = !text;
}

function setLive(on, text) {
  $("live").textContent = text;
  $("live").className = on ? "live on" : "live";
}

start();
