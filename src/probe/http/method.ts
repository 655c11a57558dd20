/** The request methods a check may use: the one list the schema, validation and prober read. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
