/**
 * The 1 GiB hugetlb pool (mm/hugetlb.c, v6.12): boot-time folios, reservations
 * (`hugetlb_acct_memory()`), dequeue with or without a reservation
 * (`dequeue_hugetlb_folio_vma()`), and freed folios back on the free list (`free_huge_folio()`).
 */
import { describe, expect, it } from "vitest";
import { HPAGE_PUD_NR } from "../sim/units.js";
import { testKernel } from "../testing/kernel.js";
import { PG_ALLOC, PG_HUGETLB, PG_RESERVED } from "./page-flags.js";

const machine = (n: number) => testKernel({ machine: { memory: `${n + 1}GiB`, hugetlb_1g: n } }).kernel.memory;

describe("HugetlbPool", () => {
  it("sets the pages aside at boot from ZONE_NORMAL, 1 GiB aligned, held by the pool", () => {
    const mem = machine(2);
    const pool = mem.hugetlb1g;
    expect(pool.nrHugePages).toBe(2);
    expect(pool.freeHugePages).toBe(2);
    // The zero page holds the first GiB; the pool gets the next two.
    expect(pool.isFreeHead(HPAGE_PUD_NR) && pool.isFreeHead(2 * HPAGE_PUD_NR)).toBe(true);
    expect(mem.isAllocated(HPAGE_PUD_NR + 5)).toBe(true);
    expect(mem.frames.flags[HPAGE_PUD_NR + 5]).toBe(PG_ALLOC | PG_RESERVED);
  });

  it("has no pages unless asked (the default machine)", () => {
    expect(testKernel({ machine: { memory: "64MiB" } }).kernel.memory.hugetlb1g.nrHugePages).toBe(0);
  });

  it("reserves only what is free and unreserved, and a reserved folio is dequeued only by its reservation", () => {
    const pool = machine(2).hugetlb1g;
    expect(pool.acctMemory(3)).toBe(false);
    expect(pool.acctMemory(2)).toBe(true);
    expect(pool.available()).toBe(0);
    expect(pool.dequeue(false)).toBe(-1);
    const head = pool.dequeue(true);
    expect(head).toBeGreaterThan(0);
    expect(pool.resvHugePages).toBe(1);
    expect(pool.isFreeHead(head)).toBe(false);
    expect(pool.acctMemory(-1)).toBe(true);
    expect(pool.available()).toBe(1);
  });

  it("takes a freed 1 GiB folio back instead of giving its frames to the zone", () => {
    const mem = machine(1);
    const head = mem.allocHugetlb1g(false);
    expect(mem.frames.order[head]).toBe(18);
    expect(mem.frames.flags[head] & PG_HUGETLB).toBe(PG_HUGETLB);
    expect(mem.frames.refcount[head]).toBe(1);
    expect(mem.allocHugetlb1g(false)).toBe(-1);
    mem.contents.write(head + 3, 0, new Uint8Array([1, 2, 3]));
    expect(mem.put(head)).toBe(true);
    expect(mem.hugetlb1g.freeHugePages).toBe(1);
    expect(mem.isAllocated(head)).toBe(true);
    expect(mem.contents.has(head + 3)).toBe(false);
    expect(mem.frames.refcount[head]).toBe(0);
  });
});
