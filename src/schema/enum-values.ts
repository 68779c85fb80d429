/** An enum's values for `builder.enumType`, in the order of `values`, each with its description. */
export function describedValues<T extends string>(
  values: readonly T[],
  descriptions: Record<T, string>,
): Record<string, { value: T; description: string }> {
  return Object.fromEntries(values.map((v) => [v, { value: v, description: descriptions[v] }]));
}
