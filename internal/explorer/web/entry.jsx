// The explorer's one script: GraphiQL (with React) and a fetcher for this
// API, bundled by build.mjs into ../assets/explorer.js. Everything it loads
// comes from the same server, so it works where no CDN is reachable.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import 'graphiql/graphiql.css';

// The endpoint is the page's own server: /graphql over HTTP, and the same
// path over a websocket for subscriptions (graphql-transport-ws, which the
// graphql-ws client speaks). The headers editor's headers (an
// "Authorization": "Bearer …" pasted there) go with every HTTP request and,
// for subscriptions, as the websocket's connection_init payload, where the
// server reads a socket's credential (browsers cannot set headers on a
// websocket).
const endpoint = new URL('/graphql', window.location.href);
const socketURL = new URL(endpoint);
socketURL.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

// One websocket client per set of headers: changing the credential opens a
// new socket rather than reusing one authenticated as someone else. A
// refused credential (4403) or a socket cap (1008) is shown, not retried.
let socket = null;
let socketHeaders = null;
function socketFor(headers) {
  const key = JSON.stringify(headers ?? {});
  if (socket === null || key !== socketHeaders) {
    socket?.dispose();
    socket = createClient({
      url: socketURL.href,
      connectionParams: headers ?? {},
      shouldRetry: (err) => !(err && typeof err === 'object' && [4403, 1008].includes(err.code)),
    });
    socketHeaders = key;
  }
  return socket;
}

function fetcher(params, opts) {
  return createGraphiQLFetcher({ url: endpoint.href, wsClient: socketFor(opts?.headers) })(params, opts);
}

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    isHeadersEditorEnabled: true,
    // Headers hold credentials: kept for this tab only, never in localStorage.
    shouldPersistHeaders: false,
    defaultHeaders: '{\n  "Authorization": ""\n}',
    inputValueDeprecation: true,
  }),
);
