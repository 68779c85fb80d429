import type { GraphQLSchema } from 'graphql';

/**
 * A mutation that sends an OTP, spends money or checks a code declares it on its field:
 * `extensions: SENSITIVE`. Repeating such mutations in one document (by alias, in several
 * operations, or through fragments) would multiply vendor calls and OTP guesses per request, so
 * a document may hold at most one of them (`oneSensitiveMutationRule`). The rule reads the
 * declaration from the schema: a new mutation is covered by declaring it, not by a list.
 */
export const SENSITIVE = { sensitive: true } as const;

/** The names of the mutations that declare themselves sensitive, in schema order. */
export function sensitiveMutations(schema: GraphQLSchema): string[] {
  return Object.values(schema.getMutationType()?.getFields() ?? {})
    .filter((field) => field.extensions?.sensitive === true)
    .map((field) => field.name);
}
