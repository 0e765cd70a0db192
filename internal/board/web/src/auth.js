// Sign-in with OpenID Connect: the authorization code flow with PKCE, in the
// browser, against whichever providers config.json lists (with --dev, the
// server's own development provider, a picker of demo people). The access
// token is the bearer token for HTTP and for the websocket's connection_init.
// It is kept in sessionStorage: one tab, gone when the tab closes.

const SESSION = 'usergroups.session';
const PENDING = 'usergroups.signin';

function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random() { return b64url(crypto.getRandomValues(new Uint8Array(32))); }

async function discover(issuer) {
  const res = await fetch(issuer.replace(/\/$/, '') + '/.well-known/openid-configuration');
  if (!res.ok) throw new Error(`discovery failed: HTTP ${res.status}`);
  const doc = await res.json();
  if (doc.issuer !== issuer.replace(/\/$/, '') && doc.issuer !== issuer) throw new Error('discovery names another issuer');
  return doc;
}

function redirectURI() { return location.origin + location.pathname; }

// signIn leaves the page for the provider's sign-in; it comes back to
// redirectURI() with ?code and state.
export async function signIn(provider) {
  const doc = await discover(provider.issuer);
  const verifier = random();
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random();
  const nonce = random();
  sessionStorage.setItem(PENDING, JSON.stringify({
    verifier, state, issuer: provider.issuer, clientId: provider.clientId,
    tokenEndpoint: doc.token_endpoint, redirectURI: redirectURI(), hash: location.hash,
  }));
  const u = new URL(doc.authorization_endpoint);
  u.search = new URLSearchParams({
    response_type: 'code', client_id: provider.clientId, redirect_uri: redirectURI(),
    scope: 'openid profile email', state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(u.toString());
}

// completeSignIn finishes a sign-in when the page is the provider's
// redirect back; it returns true when it signed someone in. It throws
// when the answer is wrong (a state that is not ours, a refused code).
export async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', location.pathname + (pending?.hash || ''));
  if (params.has('error')) throw new Error(params.get('error_description') || params.get('error'));
  if (!pending || params.get('state') !== pending.state) throw new Error('the sign-in answer does not match the request');
  const res = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: params.get('code'), redirect_uri: pending.redirectURI,
      client_id: pending.clientId, code_verifier: pending.verifier,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) throw new Error(body.error_description || body.error || `HTTP ${res.status}`);
  const expiresAt = Date.now() + (Number(body.expires_in) || 3600) * 1000;
  sessionStorage.setItem(SESSION, JSON.stringify({ token: body.access_token, expiresAt, issuer: pending.issuer }));
  return true;
}

// session is the current sign-in, or null when there is none or it expired.
export function session() {
  const s = JSON.parse(sessionStorage.getItem(SESSION) || 'null');
  if (!s || s.expiresAt <= Date.now()) return null;
  return s;
}

export function token() { return session()?.token || null; }

export function signOut() { sessionStorage.removeItem(SESSION); }
