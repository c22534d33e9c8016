/**
 * The per-kernel numbers GUP's order-0 fast loops work from: the active policy's
 * `FastPathDeclaration` and the frame ranges a long-term pin may not stay in, computed once
 * (zones never move) instead of asked page by page.
 * @module
 */
import type { KernelContext } from "../kernel/context.js";

/** The fast loops' view of the policy: what a pin adds, and where long-term pins may not stay. */
export interface FastPlan {
  /** Refcount units per FOLL_PIN on a plain frame (`FastPathDeclaration.pinRefs`). */
  readonly pinRefs: number;
  /** The exact pin counter, or undefined. */
  readonly pinCounter: Int32Array | undefined;
  /** First frame of the first range `folio_is_longterm_pinnable()` refuses (empty range: lo1 = hi1 = 0). */
  readonly lo1: number;
  /** One past the last frame of that range. */
  readonly hi1: number;
  /** The second range, when the refused zones are not adjacent (else empty). */
  readonly lo2: number;
  /** One past the last frame of the second range. */
  readonly hi2: number;
}

/**
 * Build the plan for `k`'s policy, or null when the policy declares no fast path (core then asks
 * its hooks page by page) or its refused zones make more than two frame ranges.
 */
export function fastPlanOf(k: KernelContext): FastPlan | null {
  const decl = k.policy.fastPath;
  if (decl === undefined) return null;
  const refused = new Set<number>(decl.longtermUnpinnableZones);
  const ranges: [number, number][] = [];
  for (const z of k.memory.zones) {
    if (!refused.has(z.id) || z.end === z.start) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === z.start) last[1] = z.end;
    else ranges.push([z.start, z.end]);
  }
  if (ranges.length > 2) return null;
  const [a, b] = [ranges[0] ?? [0, 0], ranges[1] ?? [0, 0]];
  return { pinRefs: decl.pinRefs, pinCounter: decl.pinCounter, lo1: a[0], hi1: a[1], lo2: b[0], hi2: b[1] };
}
