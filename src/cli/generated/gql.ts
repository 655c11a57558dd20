/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query CliServices($after: String) {\n  services(first: 100, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        name\n        kind\n        url\n        labels\n        state {\n          status\n          since\n          latencyMs\n          message\n        }\n      }\n    }\n  }\n}\n\nquery CliStatusCursor {\n  statusCursor\n}\n\nsubscription CliStatusChanged($after: String) {\n  statusChanged(after: $after) {\n    cursor\n    service {\n      name\n    }\n    previous\n    current\n    at\n    message\n  }\n}": typeof types.CliServicesDocument,
};
const documents: Documents = {
    "query CliServices($after: String) {\n  services(first: 100, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        name\n        kind\n        url\n        labels\n        state {\n          status\n          since\n          latencyMs\n          message\n        }\n      }\n    }\n  }\n}\n\nquery CliStatusCursor {\n  statusCursor\n}\n\nsubscription CliStatusChanged($after: String) {\n  statusChanged(after: $after) {\n    cursor\n    service {\n      name\n    }\n    previous\n    current\n    at\n    message\n  }\n}": types.CliServicesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CliServices($after: String) {\n  services(first: 100, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        name\n        kind\n        url\n        labels\n        state {\n          status\n          since\n          latencyMs\n          message\n        }\n      }\n    }\n  }\n}\n\nquery CliStatusCursor {\n  statusCursor\n}\n\nsubscription CliStatusChanged($after: String) {\n  statusChanged(after: $after) {\n    cursor\n    service {\n      name\n    }\n    previous\n    current\n    at\n    message\n  }\n}"): typeof import('./graphql.js').CliServicesDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
