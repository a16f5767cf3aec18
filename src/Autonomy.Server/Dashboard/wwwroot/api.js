// Calls to this server with the browser's session: the cookie goes by itself (HttpOnly, never seen here); every change
// also carries the session's CSRF token, which the server checks.

let session = null;

export function currentSession() { return session; }

/** The session the cookie stands for, or null when not signed in. */
export async function loadSession() {
  const response = await fetch("/ui/session", { credentials: "same-origin" });
  session = response.ok ? await response.json() : null;
  return session;
}

export async function signIn(token) {
  const response = await fetch("/ui/session", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }),
  });
  if (!response.ok) throw await problemOf(response);
  session = await response.json();
  return session;
}

export async function signOut() {
  await fetch("/ui/session", { method: "DELETE", credentials: "same-origin", headers: csrfHeaders() });
  session = null;
}

export async function getJson(path) {
  const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw await problemOf(response);
  return response.json();
}

/** A change (POST, PUT, DELETE) through the session; resolves to the answer's JSON, if any. */
export async function act(method, path, body) {
  const headers = csrfHeaders();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, credentials: "same-origin", headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await problemOf(response);
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : null;
}

function csrfHeaders() {
  return session ? { "X-CSRF-Token": session.csrf } : {};
}

// The API answers errors as problem+json: its detail says what to change.
async function problemOf(response) {
  let text = `${response.status} ${response.statusText}`;
  try {
    const problem = await response.json();
    text = problem.detail || problem.title || text;
  } catch { /* not JSON: the status line says enough */ }
  const error = new Error(text);
  error.status = response.status;
  return error;
}
