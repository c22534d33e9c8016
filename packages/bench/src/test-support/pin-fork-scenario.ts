/**
 * A scenario for the tests of scenario workloads: it needs no device, so the fake policies run it.
 * @module
 */

/** A pinned private buffer, fork, the parent writes, a refused call (EFAULT), the release, a check of what the parent sees. */
export const PIN_FORK = {
  file: "stories/Pin_Fork.yaml",
  text: `name: pin-fork
description: a pinned private buffer, then fork, then the parent writes
machine: { memory: 16MiB }
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 8KiB, prot: [read, write], flags: [private, anonymous, populate] }
  - { op: write, proc: p1, addr: buf, data: "before" }
  - { op: gup, proc: p1, addr: buf, pages: 2, call: pin_user_pages, flags: [FOLL_WRITE, FOLL_LONGTERM], as: pin, expect: { result: 2 } }
  - { op: fork, proc: p1, child: c1 }
  - { op: write, proc: p1, addr: buf, data: "parent" }
  - { op: gup, proc: p1, addr: 0x7f0000000000, pages: 1, call: pin_user_pages, flags: [], expect: { errno: EFAULT } }
  - { op: release, handle: pin }
  - { op: check, expect: { data: { proc: p1, addr: buf, equals: "parent" } } }
`,
};
