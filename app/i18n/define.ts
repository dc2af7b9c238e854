/** One area's texts: Italian (the source) and English with exactly the same keys. */
export function defineMessages<const K extends string>(it: Record<K, string>, en: Record<NoInfer<K>, string>) {
  return { it, en };
}
