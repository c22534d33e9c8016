/**
 * The words of `migrate_vma`'s `src` and `dst` arrays (include/linux/migrate.h, Linux v6.12): a
 * frame number shifted left by MIGRATE_PFN_SHIFT with MIGRATE_PFN_* flags below it, and the
 * MIGRATE_VMA_SELECT_* flags saying which source pages `migrate_vma_setup()` collects.
 * @module
 */

/** MIGRATE_PFN_VALID: the word names a page. */
export const MIGRATE_PFN_VALID = 1 << 0;
/** MIGRATE_PFN_MIGRATE: the page (or the hole) is still being migrated. */
export const MIGRATE_PFN_MIGRATE = 1 << 1;
/** MIGRATE_PFN_WRITE: the mapping was (or is to be) writable. */
export const MIGRATE_PFN_WRITE = 1 << 3;
/** MIGRATE_PFN_SHIFT. */
export const MIGRATE_PFN_SHIFT = 6;

/** MIGRATE_VMA_SELECT_SYSTEM: collect system memory (pages, holes, the zero page). */
export const MIGRATE_VMA_SELECT_SYSTEM = 1 << 0;
/** MIGRATE_VMA_SELECT_DEVICE_PRIVATE: collect device-private pages of the caller's pagemap. */
export const MIGRATE_VMA_SELECT_DEVICE_PRIVATE = 1 << 1;
/** MIGRATE_VMA_SELECT_DEVICE_COHERENT: collect device-coherent pages of the caller's pagemap. */
export const MIGRATE_VMA_SELECT_DEVICE_COHERENT = 1 << 2;

/** `migrate_pfn()` (include/linux/migrate.h, v6.12): the word of frame `pfn`, valid. */
export function migratePfn(pfn: number): number {
  return pfn * (1 << MIGRATE_PFN_SHIFT) + MIGRATE_PFN_VALID;
}

/** `migrate_pfn_to_page()` (include/linux/migrate.h, v6.12): the frame a word names, or -1 (NULL). */
export function migratePfnToPage(mpfn: number): number {
  return mpfnHas(mpfn, MIGRATE_PFN_VALID) ? Math.floor(mpfn / (1 << MIGRATE_PFN_SHIFT)) : -1;
}

/** The MIGRATE_PFN_* flags of a word (the word can pass 2^31, beyond JavaScript's bitwise operators, so flags are handled arithmetically). */
export function mpfnFlags(mpfn: number): number {
  return mpfn % (1 << MIGRATE_PFN_SHIFT);
}

/** True when `mpfn` has `flag`. */
export function mpfnHas(mpfn: number, flag: number): boolean {
  return (mpfnFlags(mpfn) & flag) !== 0;
}

/** `mpfn` with `flag` set. */
export function mpfnSet(mpfn: number, flag: number): number {
  return mpfnHas(mpfn, flag) ? mpfn : mpfn + flag;
}

/** `mpfn &= ~flag`. */
export function mpfnClear(mpfn: number, flag: number): number {
  return mpfnHas(mpfn, flag) ? mpfn - flag : mpfn;
}
