/**
 * The observers of a kernel instance, dispatched per hook: when an observer is added, it joins
 * the list of every hook it implements (the optional methods of its interface are how it
 * declares what it needs), so an emitter asks "anyone for `onRelease`?" in O(1) and a hook call
 * reaches only those observers. Hooks an observer gains after it was added are not seen.
 * @module
 */

/** Observers of interface `O`, with one list per hook (method of `O`). */
export class ObserverList<O extends object> implements Iterable<O> {
  private readonly all: O[] = [];
  /** One list per hook, made up front (a plain object: a hook looked up by a constant name is a property load). */
  private readonly byHook: Record<string, O[]> = {};

  /** A list for the hooks named in `hooks` (every optional method of the observer interface). */
  constructor(private readonly hooks: readonly (keyof O & string)[]) {
    for (const hook of hooks) this.byHook[hook] = [];
  }

  /** Add observers (as `Array.prototype.push`); each joins the list of every hook in `hooks` it implements. Returns the number of observers. */
  push(...observers: O[]): number {
    for (const o of observers) {
      this.all.push(o);
      for (const hook of this.hooks) {
        if (typeof o[hook] === "function") this.byHook[hook]!.push(o);
      }
    }
    return this.all.length;
  }

  /** Number of observers. */
  get length(): number {
    return this.all.length;
  }

  /** Whether any observer implements `hook`. */
  has(hook: keyof O & string): boolean {
    return this.byHook[hook]!.length > 0;
  }

  /** The observers that implement `hook`, in the order they were added (empty when none). */
  of(hook: keyof O & string): readonly O[] {
    return this.byHook[hook]!;
  }

  /** Every observer, in the order they were added. */
  [Symbol.iterator](): Iterator<O> {
    return this.all[Symbol.iterator]();
  }
}
