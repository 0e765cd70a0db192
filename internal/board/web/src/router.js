// Hash routes (#/queue/openeuler, #/application/app_…, #/group/openeuler/beijing):
// the server serves one page at /app/, and the identity provider's redirect
// back to it keeps the route in sessionStorage.
const views = new Map();

// view registers a screen: render(container, params) draws it and returns
// a function that stops what it started (subscriptions, timers).
export function view(name, render) { views.set(name, render); }

export function parse(hash = location.hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [name = '', ...params] = parts;
  return { name, params };
}

export function lookup(name) { return views.get(name); }

export function href(name, ...params) {
  return '#/' + [name, ...params].map((p) => p.split('/').map(encodeURIComponent).join('/')).join('/');
}

export function go(name, ...params) { location.hash = href(name, ...params); }
