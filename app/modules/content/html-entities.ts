const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'", "#39": "'", nbsp: " " };

/** Decodes the entities React's renderer writes, for reading text back out of rendered HTML. */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#x27|#39|nbsp);/g, (m, e: string) => ENTITIES[e] ?? m);
}
