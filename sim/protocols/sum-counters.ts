/**
 * Sums the stats objects of many nodes: numeric fields add up, nested objects (drops by reason) are summed
 * recursively, anything else is ignored. Used for the report's per-layer totals.
 */
export type Counters = { [key: string]: number | Counters };

export function sumCounters(items: ReadonlyArray<object | undefined>): Counters {
  const total: Counters = {};
  for (const item of items) if (item) addInto(total, item as Record<string, unknown>);
  return total;
}

function addInto(total: Counters, item: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(item)) {
    if (typeof value === 'number' && Number.isFinite(value)) {
      const prev = total[key];
      total[key] = (typeof prev === 'number' ? prev : 0) + value;
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
      const prev = total[key];
      const nested: Counters = typeof prev === 'object' ? prev : {};
      total[key] = nested;
      addInto(nested, value as Record<string, unknown>);
    }
  }
}
