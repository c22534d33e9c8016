/**
 * Finding eras by id, ordering them, and reading the `expect_by_kernel` keys that name a range of them.
 * @module
 */
import type { KernelEra } from "./era-rules.js";
import { KERNEL_ERAS } from "./eras.js";

/** Ids of every era, oldest first. */
export const KERNEL_ERA_IDS: readonly string[] = KERNEL_ERAS.map((e) => e.id);

/** The era with this id, or undefined. */
export function findEra(id: string): KernelEra | undefined {
  return KERNEL_ERAS.find((e) => e.id === id);
}

/** The era with this id; throws an Error naming the known ids for anything else. */
export function eraById(id: string): KernelEra {
  const era = findEra(id);
  if (era === undefined) throw new Error(unknownEraMessage(id));
  return era;
}

/** The message for an era id that names no era. */
export function unknownEraMessage(id: string): string {
  return `unknown kernel "${id}"; kernels: ${KERNEL_ERA_IDS.join(", ")}`;
}

/** Position of an era on the axis (0 = oldest), -1 for an unknown id. */
export function eraIndex(id: string): number {
  return KERNEL_ERA_IDS.indexOf(id);
}

/**
 * Does the era `id` match `key`, a key of `expect_by_kernel`? A key is an era id (`v5.3`), a
 * lower bound (`>=v5.9`: that era and every later one), an upper bound (`<v5.9`: every earlier
 * one; `<=v5.8` includes it), or a range `v5.9..v5.18` (both included). Returns undefined when
 * `key` is not such a key or names an unknown era.
 */
export function eraMatches(key: string, id: string): boolean | undefined {
  const at = eraIndex(id);
  const range = /^(v[\w.-]+)\.\.(v[\w.-]+)$/.exec(key);
  if (range !== null) {
    const lo = eraIndex(range[1]);
    const hi = eraIndex(range[2]);
    return lo < 0 || hi < 0 || lo > hi ? undefined : at >= lo && at <= hi;
  }
  const m = /^(>=|<=|<|>)?(v[\w.-]+)$/.exec(key);
  if (m === null) return undefined;
  const bound = eraIndex(m[2]);
  if (bound < 0) return undefined;
  switch (m[1]) {
    case ">=": return at >= bound;
    case ">": return at > bound;
    case "<=": return at <= bound;
    case "<": return at < bound;
    default: return at === bound;
  }
}
