// Hash routes (#/queue/openeuler, #/application/app_…, #/group/openeuler/beijing):
// the server serves one page at /app/, and the identity provider's redirect
// back to it keeps the route in sessionStorage.
const views = new Map();

// view registers a screen: render(container, params) draws it and returns
// a function that stops what it started (subscriptions, timers).
export function view(name, render) { views.set(name, render); }

// A route may end in a query (#/queue/openeuler?kinds=NEW_GROUP) that a view
// keeps its filters in: parse leaves it out of the params and returns it as
// query (URLSearchParams).
export function parse(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const parts = (q < 0 ? raw : raw.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
  const [name = '', ...params] = parts;
  return { name, params, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

export function lookup(name) { return views.get(name); }

export function href(name, ...params) {
  return '#/' + [name, ...params].map((p) => p.split('/').map(encodeURIComponent).join('/')).join('/');
}

export function go(name, ...params) { location.hash = href(name, ...params); }
