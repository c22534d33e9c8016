/**
 * Names of the things a device creates (memory regions, IOs). A scenario names them with `as:`;
 * otherwise the device hands out `mr1`, `mr2`… (or `io1`…) and returns the name with the result.
 * @module
 */

/** Hands out names with a prefix, honouring a requested name when it is free. */
export class NameAllocator {
  private next = 1;

  /** An allocator of `${prefix}1`, `${prefix}2`, … */
  constructor(private readonly prefix: string) {}

  /**
   * Why `requested` (the step's `as:`) cannot be used: it names a live object. Undefined when it
   * can, or when no name was requested. Check this before creating anything.
   */
  conflict(requested: string | undefined, inUse: (name: string) => boolean): string | undefined {
    return requested !== undefined && inUse(requested) ? `the name "${requested}" is already in use on this device` : undefined;
  }

  /**
   * The name of a new object: `requested` when given (checked with {@link NameAllocator.conflict}
   * first), else the next generated name that is not in use. Call it once the object exists, so
   * failed attempts use up no generated name.
   */
  claim(requested: string | undefined, inUse: (name: string) => boolean): string {
    if (requested !== undefined) return requested;
    let name: string;
    do name = `${this.prefix}${this.next++}`;
    while (inUse(name));
    return name;
  }
}
