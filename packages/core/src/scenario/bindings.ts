/**
 * Names bound during a run: `as:` results of earlier steps (addresses from mmap, gup handles,
 * device results, other values), and resolution of address expressions like `buf+8KiB`.
 * @module
 */
import type { VaddrPinOwner } from "../policy/pin-policy.js";
import { HEX_ADDR_PATTERN, parseHexAddress, splitAddress } from "../sim/field-schemas.js";

/** A gup handle: what a `gup` step took, to release or peek later. */
export interface GupHandle {
  /** The handle's name (also the oracle holder name). */
  readonly name: string;
  /** The GUP call that took it. */
  readonly call: string;
  /** How it must be released. */
  readonly family: "get" | "pin" | "vaddr";
  /** The frames taken, in order. */
  readonly pfns: number[];
  /** The pid the pages were taken from. */
  readonly pid: number;
  /** The vaddr_pin owner, for vaddr handles. */
  readonly owner?: VaddrPinOwner;
  /** Taken with FOLL_WRITE: a device may write through it (`poke`); without, only read (`peek`). */
  readonly writable: boolean;
  /** Set once released. */
  released: boolean;
}

/** What a name refers to. */
export type Binding =
  | { readonly kind: "address"; readonly value: number; readonly end?: number }
  | { readonly kind: "handle"; readonly handle: GupHandle }
  | { readonly kind: "device"; readonly device: string; readonly name: string; readonly value: unknown }
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "failed"; readonly step: number; readonly why: string };

/** A value in a step could not be resolved at run time (e.g. a name whose defining step failed). */
export class StepInputError extends Error {
  /** The field. */
  readonly field: string;

  /** Make the error for `field`. */
  constructor(field: string, message: string) {
    super(message);
    this.name = "StepInputError";
    this.field = field;
  }
}

/** The names bound so far in one run. */
export class Bindings {
  private readonly names = new Map<string, Binding>();

  /** Bind (or rebind) a name. */
  set(name: string, b: Binding): void {
    this.names.set(name, b);
  }

  /** What a name is bound to. */
  get(name: string): Binding | undefined {
    return this.names.get(name);
  }

  /** Resolve an address expression (integer, `0x...` literal, `NAME`, `NAME+OFFSET`) for field `field`. */
  addr(value: unknown, field: string): number {
    if (typeof value === "number") return value;
    if (typeof value !== "string") throw new StepInputError(field, `expected an address, got ${JSON.stringify(value)}`);
    if (HEX_ADDR_PATTERN.test(value)) {
      const hex = parseHexAddress(value);
      if (typeof hex === "string") throw new StepInputError(field, hex);
      return hex;
    }
    const split = splitAddress(value);
    if (typeof split === "string") throw new StepInputError(field, split);
    const b = this.names.get(split.name);
    if (b === undefined) throw new StepInputError(field, `"${split.name}" is not defined`);
    if (b.kind === "failed") throw new StepInputError(field, `"${split.name}" has no value: step ${b.step}, which defines it, failed (${b.why})`);
    if (b.kind !== "address") throw new StepInputError(field, `"${split.name}" is not an address`);
    return b.value + split.offset;
  }

  /**
   * The end of the mapping the mmap (or mremap) step that bound `name` made (what `after: NAME`
   * asks for): its address plus its length rounded up to pages (2 MiB for hugetlb), whatever
   * happened to the mapping since.
   */
  mappingEnd(name: string, field: string): number {
    const b = this.names.get(name);
    if (b === undefined) throw new StepInputError(field, `"${name}" is not defined`);
    if (b.kind === "failed") throw new StepInputError(field, `"${name}" has no value: step ${b.step}, which defines it, failed (${b.why})`);
    if (b.kind !== "address" || b.end === undefined) throw new StepInputError(field, `"${name}" does not name a mapping made by an mmap or mremap step`);
    return b.end;
  }

  /** The gup handle named `name`. */
  handle(name: string, field: string): GupHandle {
    const b = this.names.get(name);
    if (b === undefined) throw new StepInputError(field, `"${name}" is not defined`);
    if (b.kind === "failed") throw new StepInputError(field, `"${name}" has no value: step ${b.step}, which defines it, failed (${b.why})`);
    if (b.kind !== "handle") throw new StepInputError(field, `"${name}" is not a gup handle`);
    return b.handle;
  }
}
