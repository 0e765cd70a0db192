// The README's documents, as generated into gql/ from documents/ (which
// extract-documents.mjs fills from README.md): each one runs through the
// typed client, and none of their results or variables is `any` — a custom
// scalar the codegen config does not map fails generation (strictScalars),
// and this file fails tsc if anything else comes out untyped.
import * as generated from './gql/graphql';
import type { Scalars } from './gql/schema';
import { execute, subscribe, type Endpoint, type ResultOf, type VariablesOf } from './client';
import type { Client } from 'graphql-ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

type Documents = typeof generated;
/** Every operation of the README, by the name codegen gave its document. */
export type ReadmeOperations = {
  [K in keyof Documents as K extends `${string}Document` ? K : never]: Documents[K];
};
/** What each README operation answers. */
export type ReadmeResults = { [K in keyof ReadmeOperations]: ResultOf<ReadmeOperations[K]> };
/** What each README operation takes. */
export type ReadmeVariables = { [K in keyof ReadmeOperations]: VariablesOf<ReadmeOperations[K]> };

/** Each README operation as a document the typed client runs with execute or subscribe. */
export const readmeDocuments: {
  [K in keyof ReadmeOperations]: TypedDocumentNode<ReadmeResults[K], ReadmeVariables[K]>;
} = Object.fromEntries(
  Object.entries(generated).filter(([name]) => name.endsWith('Document')),
) as ReadmeOperations;

/** Runs one README query or mutation; its variables and data are typed by the document. */
export function run<R, V>(endpoint: Endpoint, document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  return execute(endpoint, document, variables);
}

/** Follows one README subscription, each item typed by the document. */
export function follow<R, V extends object>(client: Client, document: TypedDocumentNode<R, V>, variables: V, next: (item: R) => void): () => void {
  return subscribe(client, document, variables, next, console.error);
}

type IsAny<T> = 0 extends 1 & T ? true : false;
/** true when T is `any` or holds `any` anywhere inside. */
type HasAny<T> =
  IsAny<T> extends true
    ? true
    : T extends readonly (infer E)[]
      ? HasAny<E>
      : T extends object
        ? true extends { [K in keyof T]-?: HasAny<T[K]> }[keyof T]
          ? true
          : false
        : false;
type Assert<T extends false> = T;

export type NoAnyInResults = Assert<HasAny<ReadmeResults>>;
export type NoAnyInVariables = Assert<HasAny<ReadmeVariables>>;
export type NoAnyInScalars = Assert<HasAny<Scalars>>;
// The check itself catches an any (the line fails to compile without the directive).
// @ts-expect-error an any inside is found
export type AnyIsCaught = Assert<HasAny<{ a: { b: any[] } }>>;
