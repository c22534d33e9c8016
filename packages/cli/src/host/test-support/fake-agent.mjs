// A fake host agent for protocol.test.ts: speaks the protocol with canned answers.
//   hello   -> a valid answer
//   mmap    -> an errno answer (EFAULT in mmap)
//   madvise -> a malformed answer (no "result")
//   kpage   -> held until the next request, which is answered first (answers out of order)
//   touch   -> never answered (the client's timeout)
//   read    -> writes to stderr and dies with status 3
//   munmap  -> a line that is not JSON
//   exit    -> answers, then exits (on a forked connection: answers, then ends the connection)
//   fork    -> connects to the unix socket `socket`, serves the same answers on it, answers its pid
//   status  -> on a forked connection, says it is the child
import { connect } from "node:net";
import process from "node:process";
import { createInterface } from "node:readline";

let held;
const serve = (input, output, forked) => {
const send = (obj) => output.write(`${JSON.stringify(obj)}\n`);
createInterface({ input }).on("line", (line) => {
  const req = JSON.parse(line);
  const { id, op } = req;
  if (op === "fork") {
    const socket = connect(req.socket, () => {
      serve(socket, socket, true);
      send({ id, ok: true, pid: process.pid });
    });
    return;
  }
  if (op === "status") {
    send({ id, ok: true, vmPinKb: forked ? 1 : 0, vmLckKb: 0, vmRssKb: 100 });
    return;
  }
  if (op === "exit" && forked) {
    send({ id, ok: true });
    output.end();
    return;
  }
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
};
serve(process.stdin, process.stdout, false);
