/**
 * The fields of a device action, typed from its schema. A plugin declares each action's fields
 * as a zod object built from {@link actionFields}; core validates a call against it, resolves the
 * references it holds (a process name to the `Process`, `buf+8KiB` to an address, a file name to
 * the `Inode`) and hands the handler {@link ActionArgs}: `z.output` of the schema with every
 * reference replaced by what it names. Sizes and times come out as numbers, lists and enums as
 * their types, so a handler reads its fields without a cast (as typescript-eslint's `create`
 * receives options typed from `meta`).
 * @module
 */
import type { z } from "zod";
import type { Inode } from "../fs/inode.js";
import type { Process } from "../mm/process.js";
import { addrField, nameField, sizeField, timeField } from "../sim/field-schemas.js";

/** What a reference names, by kind: what the handler receives in its place. */
export interface ActionRefTargets {
  /** A process name: the live `Process`. */
  readonly proc: Process;
  /** A file name: its `Inode`. */
  readonly file: Inode;
  /** An address as written (an integer, `NAME`, `NAME+OFFSET`): the address. */
  readonly addr: number;
}

/** A kind of reference. */
export type ActionRefKind = keyof ActionRefTargets;

const ACTION_REF = Symbol.for("pinlab.ActionRef");

/**
 * A value written in an action's fields that names something of the run (a process, a file, an
 * address), as the field schema parsed it. Core resolves it before the handler runs.
 */
export class ActionRef<K extends ActionRefKind = ActionRefKind> {
  /** Marks references across copies of core (the registry's tokens are global symbols too). */
  readonly [ACTION_REF] = true;

  /** A reference of kind `kind` to `value` as written. */
  constructor(
    /** What it names. */
    readonly kind: K,
    /** The value as written. */
    readonly value: string | number,
  ) {}

  /** True for an `ActionRef` (made by this copy of core or another). */
  static is(x: unknown): x is ActionRef {
    return typeof x === "object" && x !== null && (x as { [ACTION_REF]?: unknown })[ACTION_REF] === true;
  }
}

/** A field value once resolved: a reference becomes what it names; anything else stays as parsed. */
export type Resolved<V> = V extends ActionRef<infer K> ? ActionRefTargets[K] : V;

/** What an action's handler receives: the parsed fields of schema `F`, references resolved. */
export type ActionArgs<F extends z.ZodType> = { readonly [K in keyof z.output<F>]: Resolved<z.output<F>[K]> };

/**
 * How the references of one call are resolved: by the scenario runner against its bindings, by
 * the bench and tests against the kernel. Each throws an `Error` saying why a value names
 * nothing; core adds the device, action and field.
 */
export interface ActionRefs {
  /** The live process named `name`. */
  proc(name: string, field: string): Process;
  /** The file named `name`. */
  file(name: string, field: string): Inode;
  /** The address `value` stands for: an integer as is, `NAME` or `NAME+OFFSET` from the run's bindings. */
  addr(value: string | number, field: string): number;
}

const ref = <K extends ActionRefKind>(kind: K) => (value: string | number) => new ActionRef(kind, value);

/**
 * Field schemas for device actions, accepting what a scenario writes. `proc`, `file` and `addr`
 * are references (the handler gets the `Process`, the `Inode`, the address); `size` and `time`
 * come out as numbers (bytes, ns); `name` is a plain name such as a region's.
 */
export const actionFields = {
  /** A process by name (`proc: p1`): the handler gets the `Process`. */
  proc: nameField.transform(ref("proc")),
  /** A file by name (`file: data`): the handler gets the `Inode`. */
  file: nameField.transform(ref("file")),
  /** An address (`addr: buf+8KiB`, `addr: 65536`): the handler gets the number. */
  addr: addrField.transform(ref("addr")),
  /** A size (`length: 16KiB`): the handler gets bytes. */
  size: sizeField,
  /** A time (`latency: 50us`): the handler gets nanoseconds. */
  time: timeField,
  /** A name the device gave or will give something (`region: mr`): a string. */
  name: nameField,
} as const;
