// A fake host agent for protocol.test.ts: speaks the protocol with canned answers.
//   hello   -> a valid answer
//   mmap    -> an errno answer (EFAULT in mmap)
//   madvise -> a malformed answer (no "result")
//   kpage   -> held until the next request, which is answered first (answers out of order)
//   touch   -> never answered (the client's timeout)
//   read    -> writes to stderr and dies with status 3
//   munmap  -> a line that is not JSON
//   exit    -> answers, then exits
import process from "node:process";
import { createInterface } from "node:readline";

let held;
const send = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
createInterface({ input: process.stdin }).on("line", (line) => {
  const req = JSON.parse(line);
  const { id, op } = req;
  if (op === "kpage") {
    held = { id, ok: true, count: 1, flags: ["ANON"], raw: "0x1000" };
    return;
  }
  if (op === "hello") send({ id, ok: true, pid: process.pid, pageSize: 4096, uid: 1000 });
  else if (op === "mmap") send({ id, ok: false, errno: 14, name: "EFAULT", call: "mmap" });
  else if (op === "madvise") send({ id, ok: true });
  else if (op === "munmap") process.stdout.write("not json\n");
  else if (op === "read") {
    process.stderr.write("fake agent: dying on purpose\n");
    process.exit(3);
  } else if (op === "exit") {
    send({ id, ok: true });
    process.exit(0);
  } else if (op !== "touch") send({ id, ok: false, error: "unknown op" });
  if (held !== undefined) {
    send(held);
    held = undefined;
  }
});
