/** Items that wait for the admin (host keys, auth prompts), oldest first, each once. */
interface Waiting {
  id: string;
  requestedAt: string;
}

function byRequest(a: Waiting, b: Waiting): number {
  return a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id);
}

/** Adds an item, or replaces the one with its id (an event may repeat what a load already brought). */
export function upsert<T extends Waiting>(items: readonly T[], item: T): T[] {
  return [...items.filter((existing) => existing.id !== item.id), item].sort(byRequest);
}

export function without<T extends Waiting>(items: readonly T[], ids: Iterable<string>): T[] {
  const gone = new Set(ids);
  return items.filter((item) => !gone.has(item.id));
}

/** A fresh list from the main process, sorted like the events keep it. */
export function sorted<T extends Waiting>(items: readonly T[]): T[] {
  return [...items].sort(byRequest);
}
