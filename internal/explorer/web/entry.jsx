// The explorer's one script: GraphiQL (with React) and a fetcher for this
// API, bundled by build.mjs into ../assets/explorer.js. Everything it loads
// comes from the same server, so it works where no CDN is reachable.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/graphiql.css';

// The endpoint is the page's own server: /graphql over HTTP, and the same
// path over a websocket for subscriptions (graphql-transport-ws, which the
// graphql-ws client speaks). The toolkit sends the headers editor's headers
// (an "Authorization": "Bearer …" pasted there) with every HTTP request and
// as the websocket's connection_init payload, where the server reads the
// credential of a socket (browsers cannot set headers on a websocket).
const endpoint = new URL('/graphql', window.location.href);
const socket = new URL(endpoint);
socket.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

const fetcher = createGraphiQLFetcher({
  url: endpoint.href,
  subscriptionUrl: socket.href,
});

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
