import type { Vma } from "./vma.js";

/**
 * The reverse-mapping root of anonymous pages (`struct anon_vma`). An anonymous page records its
 * anon_vma id and its virtual page number; every VMA that may map it (the original and its
 * copies made by fork) is listed here, so the rmap walk visits just those VMAs. pinlab keeps one
 * anon_vma per family instead of the kernel's chain of per-process anon_vmas: the walk visits a
 * few more VMAs but finds the same mappings.
 */
export class AnonVma {
  /** VMAs that may map pages of this anon_vma. */
  readonly vmas = new Set<Vma>();

  /** Create an anon_vma with a kernel-unique id. */
  constructor(readonly id: number) {}
}
