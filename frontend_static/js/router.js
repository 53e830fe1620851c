// Hash routing: "#/objects/contact?stage=eq.lead" → a route's screen with {params, query}.
// The hash holds the whole screen state worth keeping, so a reload shows the same screen.

const routes = [];

/** route("/objects/:name", screen) — screen(main, {params, query}) may return a cleanup. */
export function route(pattern, screen) {
  const names = [];
  const regex = new RegExp("^" + pattern.replace(/:([a-z_]+)/g, (_, n) => {
    names.push(n);
    return "([^/]+)";
  }) + "/?$");
  routes.push({ regex, names, screen });
}

export function current() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path, query: new URLSearchParams(search) };
}

export function match(path) {
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (m) {
      const params = {};
      r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      return { screen: r.screen, params };
    }
  }
  return null;
}

export function go(path, query) {
  const qs = query && [...query].length ? "?" + query.toString() : "";
  const target = "#" + path + qs;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}

/** Change the query of the current screen without re-rendering it (keeps focus and state). */
export function replaceQuery(query) {
  const { path } = current();
  const qs = [...query].length ? "?" + query.toString() : "";
  history.replaceState(null, "", "#" + path + qs);
}
