// A minimal typed client: queries and mutations over HTTP POST, and
// subscriptions over graphql-ws, each typed by the document it runs
// (the TypedDocumentNode that GraphQL Code Generator writes into gql/).
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

/** The result type a typed document answers with. */
export type ResultOf<D> = D extends TypedDocumentNode<infer R, any> ? R : never;
/** The variables a typed document takes. */
export type VariablesOf<D> = D extends TypedDocumentNode<any, infer V> ? V : never;

/** Where the API is and who calls it. */
export interface Endpoint {
  /** The HTTP endpoint, e.g. http://127.0.0.1:8080/graphql. */
  url: string;
  /** An API token or OIDC JWT; none is anonymous. */
  token?: string;
}

/** A response with errors: the first error's extensions.code is the reason. */
export class GraphQLResponseError extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors.map((e) => `${e.extensions?.['code'] ?? 'ERROR'}: ${e.message}`).join('; '));
  }
}

/** Runs a query or mutation and returns its data, typed by the document. */
export async function execute<R, V>(endpoint: Endpoint, document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
      ...(endpoint.token ? { Authorization: `Bearer ${endpoint.token}` } : {}),
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: R | null; errors?: GraphQLFormattedError[] };
  if (body.errors?.length || body.data == null) {
    throw new GraphQLResponseError(body.errors ?? [{ message: `HTTP ${response.status} without data` }]);
  }
  return body.data;
}

/** Opens a graphql-ws client on the endpoint's websocket, with the credential in connection_init. */
export function connect(endpoint: Endpoint): Client {
  const url = new URL(endpoint.url);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return createClient({
    url: url.href,
    connectionParams: endpoint.token ? { Authorization: `Bearer ${endpoint.token}` } : {},
  });
}

/** Runs a subscription, calling next with each item typed by the document; returns the stop function. */
export function subscribe<R, V extends object>(
  client: Client,
  document: TypedDocumentNode<R, V>,
  variables: V,
  next: (data: R) => void,
  error: (err: unknown) => void,
): () => void {
  return client.subscribe<R>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => (result.data != null ? next(result.data) : error(new GraphQLResponseError(result.errors ?? []))),
      error,
      complete: () => {},
    },
  );
}
