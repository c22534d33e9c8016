/**
 * The v6.12 ban on long-term writable pins of dirty-tracked file mappings (Lorenzo Stoakes,
 * May 2023, "mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to file-backed mappings").
 * @module
 */
import { FOLL_LONGTERM, FOLL_PIN, VM_SHARED, VM_WRITE, type Vma } from "@pinlab/core";

/**
 * `vma_needs_dirty_tracking(vma)` (mm/mmap.c, Linux v6.12): a shared writable file mapping whose
 * filesystem wants write notification (`->page_mkwrite` / `->pfn_mkwrite`) or can write back.
 */
export function vmaNeedsDirtyTracking(vma: Vma): boolean {
  // vma_is_shared_writable()
  if ((vma.flags & (VM_WRITE | VM_SHARED)) !== (VM_WRITE | VM_SHARED)) return false;
  const file = vma.file;
  if (file === null) return false;
  // vm_ops_needs_writenotify() || vma_fs_can_writeback()
  return file.fs.dirtyTracking || file.fs.writeback;
}

/**
 * `writable_file_mapping_allowed(vma, gup_flags)` (mm/gup.c, Linux v6.12): a FOLL_PIN |
 * FOLL_LONGTERM write to a file mapping is allowed only when the mapping needs no dirty
 * tracking. Otherwise writeback could clean and write-protect the page while the device keeps
 * writing through the pin, and the final dirtying on unpin would surprise the filesystem.
 */
export function writableFileMappingAllowed(vma: Vma, flags: number): boolean {
  if ((flags & (FOLL_PIN | FOLL_LONGTERM)) !== (FOLL_PIN | FOLL_LONGTERM)) return true;
  return !vmaNeedsDirtyTracking(vma);
}
