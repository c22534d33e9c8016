/**
 * The tagged values of the event byte stream: each tag as the module comment documents it,
 * interning, chunking and growth of the buffer.
 */
import { describe, expect, it } from "vitest";
import { CHUNK_BYTES, MAX_INTERNED, RecordWriter, TAG } from "./record-writer.js";

/** The bytes `write` produces, as one array. */
function bytesOf(write: (w: RecordWriter) => void): { bytes: number[]; chunks: number[] } {
  const out: number[] = [];
  const chunks: number[] = [];
  const w = new RecordWriter((b) => {
    chunks.push(b.length);
    for (const x of b) out.push(x);
  });
  write(w);
  w.flush();
  return { bytes: out, chunks };
}

describe("RecordWriter", () => {
  it("writes numbers small in the tag, int32 or float64, little-endian, NaN apart, -0 as 0", () => {
    const f64 = new Uint8Array(new Float64Array([2 ** 40 + 0.5]).buffer);
    const { bytes } = bytesOf((w) => [0, 127, 128, -1, -0, 2 ** 31, 2 ** 40 + 0.5, Number.NaN].forEach((v) => w.num(v)));
    expect(bytes).toEqual([
      0, 127, TAG.INT32, 128, 0, 0, 0, TAG.INT32, 0xff, 0xff, 0xff, 0xff, 0,
      TAG.FLOAT64, 0, 0, 0, 0, 0, 0, 0xe0, 0x41, TAG.FLOAT64, ...f64, TAG.NAN,
    ]);
  });

  it("writes booleans, null, absent members and values, arrays and records in key order", () => {
    const { bytes } = bytesOf((w) => w.value({ b: true, u: undefined, n: null, a: [false, undefined, "b"], f: () => 1 }));
    expect(bytes).toEqual([
      TAG.RECORD, 3, TAG.STRING_NEW, 1, 0x62, TAG.TRUE, TAG.STRING_NEW, 1, 0x6e, TAG.NULL,
      TAG.STRING_NEW, 1, 0x61, TAG.ARRAY, 3, TAG.FALSE, TAG.ABSENT, TAG.STRING_SHORT + 0,
    ]);
    expect(() => bytesOf((w) => w.value(1n))).toThrow(TypeError);
  });

  it("interns each string once: bytes the first time, then its id, short or ULEB128; strAt writes the same bytes", () => {
    const many = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const plain = bytesOf((w) => {
      for (const s of many) w.str(s);
      for (const s of [...many].reverse()) w.str(s);
    });
    const slotted = bytesOf((w) => {
      for (const s of many) w.strAt(s, 5);
      for (const s of [...many].reverse()) w.strAt(s, 5);
    });
    expect(slotted.bytes).toEqual(plain.bytes);
    // Backwards: ..., s130 (id 130: ULEB128 0x82 0x01), ..., s64 (id 64), s63 ... s0 (one byte each).
    expect(plain.bytes.slice(-64 - 2)).toEqual([TAG.STRING_REF, 64, ...Array.from({ length: 64 }, (_, i) => TAG.STRING_SHORT + 63 - i)]);
    const at130 = plain.bytes.length - 64 - 2 * 64 - 3 * 2 - 3;
    expect(plain.bytes.slice(at130, at130 + 3)).toEqual([TAG.STRING_REF, 0x82, 0x01]);
  });

  it("stops interning at MAX_INTERNED strings and writes later new ones whole each time", () => {
    const { bytes } = bytesOf((w) => {
      for (let i = 0; i < MAX_INTERNED; i++) w.str(`${i}`);
      w.str("late");
      w.str("late");
      w.str("0");
    });
    const late = [TAG.STRING_RAW, 4, 0x6c, 0x61, 0x74, 0x65];
    expect(bytes.slice(-13)).toEqual([...late, ...late, TAG.STRING_SHORT]);
  });

  it("feeds chunks of at most CHUNK_BYTES, but for one value larger than that, which grows the buffer", () => {
    const big = "x".repeat(CHUNK_BYTES * 2);
    const { bytes, chunks } = bytesOf((w) => {
      for (let i = 0; i < CHUNK_BYTES; i++) w.num(i % 128);
      w.str(big);
      w.num(1);
    });
    // A value that does not fit flushes first (the largest number is 9 bytes).
    expect(chunks).toEqual([CHUNK_BYTES - 8, 8, 1 + 3 + big.length, 1]);
    expect(bytes.length).toBe(CHUNK_BYTES + 1 + 3 + big.length + 1);
    expect(bytes.slice(CHUNK_BYTES, CHUNK_BYTES + 4)).toEqual([TAG.STRING_NEW, 0x80, 0x80, 0x08]);
  });
});
