// The board's only way to the server: GraphQL over HTTP (POST /graphql)
// and subscriptions over the websocket with the graphql-ws client, both
// with the signed-in person's bearer token. Nothing here is private to the
// board: a third-party client does the same.
import { createClient } from 'graphql-ws';
import { token, signOut } from './auth.js';

const ended = new Set();
const statusListeners = new Set();
let client = null;
let status = 'idle';

// onSignedOut is told when the server refuses the credential (expired,
// revoked): the board returns to its sign-in screen.
export function onSignedOut(f) { ended.add(f); return () => ended.delete(f); }

// endSession forgets the sign-in, closes the websocket and tells the
// listeners (the board shows its sign-in screen with why).
export function endSession(reason) {
  signOut();
  if (client) { client.dispose(); client = null; }
  for (const f of ended) f(reason);
}

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
    this.code = errors[0]?.extensions?.code;
  }
}

// gql runs a query or mutation and returns its data; errors throw a
// GraphQLError (with extensions.code), a refused credential ends the session.
export async function gql(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
  const tok = token();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  if (res.status === 401) {
    endSession('expired');
    throw new GraphQLError([{ message: 'signed out', extensions: { code: 'UNAUTHENTICATED' } }]);
  }
  const body = await res.json();
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data;
}

// liveStatus is 'connecting', 'live' or 'reconnecting'; onStatus follows it.
export function liveStatus() { return status; }
export function onStatus(f) { statusListeners.add(f); return () => statusListeners.delete(f); }
function setStatus(s) { status = s; for (const f of statusListeners) f(s); }

// Retry forever with exponential backoff and jitter (0.5 s … 15 s), except
// when the server says the credential is no good (4403, 4401).
function socket() {
  if (client) return client;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  let retried = false;
  let current = null;
  client = createClient({
    url,
    lazy: true,
    keepAlive: 15000,
    retryAttempts: Infinity,
    connectionParams: () => ({ Authorization: `Bearer ${token()}` }),
    retryWait: async (n) => {
      const base = Math.min(15000, 500 * 2 ** n);
      await new Promise((r) => setTimeout(r, base / 2 + Math.random() * base / 2));
    },
    shouldRetry: (e) => !(e && (e.code === 4403 || e.code === 4401)),
    on: {
      connecting: () => setStatus(retried ? 'reconnecting' : 'connecting'),
      connected: (socket) => { current = socket; setStatus('live'); },
      closed: (e) => {
        // A socket closed for want of subscriptions may report its close
        // after its successor connected: only the current one counts.
        if (e?.target && current && e.target !== current) return;
        current = null;
        if (!(e && e.code === 1000)) retried = true;
        if (e && (e.code === 4403 || e.code === 4401)) endSession('revoked');
        // 1000: the client closed an idle socket (no subscription left).
        else setStatus(e && e.code === 1000 ? 'idle' : 'reconnecting');
      },
    },
  });
  return client;
}

// follow subscribes to a subscription whose variables include $after, from
// the cursor given (a query's changeCursor). Each item's cursor becomes the
// next $after, so after a dropped connection the client's automatic
// resubscription resumes exactly where delivery stopped. It returns a
// function that stops following.
export function follow(query, variables, onItem, onError = () => {}) {
  const payload = { query, variables: { ...variables } };
  return socket().subscribe(payload, {
    next: (result) => {
      if (result.errors?.length) { onError(new GraphQLError(result.errors)); return; }
      const item = Object.values(result.data || {})[0];
      if (!item) return;
      if (item.cursor) payload.variables.after = item.cursor;
      onItem(item);
    },
    error: (e) => onError(e),
    complete: () => {},
  });
}

// dropSocket closes the websocket (a test and the "reconnect" button use
// it); subscriptions resume on their own.
export function dropSocket() { client?.terminate(); }
