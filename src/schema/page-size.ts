/**
 * Page sizes of every paged list, and the edge's cost limit charges a list by the same numbers.
 * Its own module, importing nothing, so the edge reads it without loading the schema.
 */
export const PAGE_SIZE = { defaultSize: 20, maxSize: 100 } as const;
