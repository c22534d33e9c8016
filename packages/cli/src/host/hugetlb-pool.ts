/**
 * The hugetlb pool on the host (issue 20). A hugetlb mapping needs free huge pages in the pool
 * (`/sys/kernel/mm/hugepages/hugepages-<size>kB/nr_hugepages`, mm/hugetlb.c
 * nr_hugepages_store); the pool is empty on most machines. As root `pinlab host` grows it by what
 * a scenario may need and puts the old size back afterwards; without root it leaves it alone, and
 * a hugetlb step fails as the kernel says (ENOMEM).
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";

/** The sysfs directory of the pool of one huge page size, in bytes (2 MiB or 1 GiB). */
export function poolDir(pageBytes: number): string {
  return `/sys/kernel/mm/hugepages/hugepages-${pageBytes / 1024}kB`;
}

function readCount(path: string): number {
  return Number(readFileSync(path, "utf8").trim());
}

/** Pools grown for one scenario, to restore. */
export class HugetlbPools {
  private readonly saved = new Map<number, number>();

  /**
   * Make at least `pages` huge pages of `pageBytes` free (with `exact`, exactly that many: a
   * scenario's `machine.hugetlb_1g` is the whole pool), resizing the pool as root. Returns undefined
   * when they are free, else why not (the kernel may also give fewer than asked when memory is fragmented).
   */
  ensureFree(pageBytes: number, pages: number, root: boolean, exact = false): string | undefined {
    const dir = poolDir(pageBytes);
    let free: number;
    let total: number;
    try {
      free = readCount(`${dir}/free_hugepages`);
      total = readCount(`${dir}/nr_hugepages`);
    } catch {
      return `this kernel has no ${pageBytes >> 20} MiB huge pages (${dir} is missing)`;
    }
    if (free === pages || (free > pages && !exact)) return undefined;
    if (!root) return `the ${pageBytes >> 20} MiB hugetlb pool has ${free} free pages, ${pages} needed, and growing it needs root`;
    if (!this.saved.has(pageBytes)) this.saved.set(pageBytes, total);
    try {
      writeFileSync(`${dir}/nr_hugepages`, String(total + pages - free));
    } catch (e) {
      return `could not grow the ${pageBytes >> 20} MiB hugetlb pool: ${(e as Error).message}`;
    }
    const now = readCount(`${dir}/free_hugepages`);
    return now >= pages && (!exact || now === pages) ? undefined : `the kernel gave ${now} free ${pageBytes >> 20} MiB huge pages of ${pages} asked (memory too fragmented)`;
  }

  /**
   * Put every resized pool back to its size before; returns the problems (never throws). A huge
   * page still in use (an agent process not yet gone) cannot be freed, and a 1 GiB page cannot
   * become a surplus page freed later (gigantic pages have no surplus): it retries for up to two seconds.
   */
  async restore(): Promise<string[]> {
    const problems: string[] = [];
    for (const [bytes, total] of this.saved) {
      const path = `${poolDir(bytes)}/nr_hugepages`;
      let why: string | undefined;
      for (let tries = 0; tries < 40; tries++) {
        try {
          writeFileSync(path, String(total));
          // A 2 MiB page in use becomes a surplus page, freed when its last user goes: the write is enough.
          why = bytes < 2 ** 30 || readCount(path) === total ? undefined : `it has ${readCount(path)} pages, still in use`;
        } catch (e) {
          why = (e as Error).message;
        }
        if (why === undefined) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (why !== undefined) problems.push(`could not restore the ${bytes >> 20} MiB hugetlb pool to ${total}: ${why}`);
    }
    this.saved.clear();
    return problems;
  }
}
