/**
 * The byte writer under the event hash: tagged values (numbers, interned strings, booleans,
 * arrays, records) appended to one reused buffer, which is handed to a sink (the running SHA-256)
 * whenever the next value would not fit, and when asked (`flush`). Chunking never shows in the
 * digest: the sink sees one byte stream. The format is documented in
 * docs/reference/scenario-format.md ("The eventsHash byte stream") and in `event-layouts.ts`.
 *
 * A value is one tag byte, then what the tag says:
 *
 * | tag | value |
 * | --- | --- |
 * | `0x00`-`0x7f` | the integer equal to the tag (0..127) |
 * | `0x80` | an int32, 4 bytes little-endian (an integral number in [-2^31, 2^31) not in 0..127; -0 is 0) |
 * | `0x81` | any other number but NaN: float64, 8 bytes little-endian |
 * | `0x82` | NaN |
 * | `0x83` / `0x84` | `false` / `true` |
 * | `0x85` | `null` |
 * | `0x86` | absent: `undefined` (and a function or symbol) |
 * | `0x87` | a string met for the first time: ULEB128 byte length, its UTF-8 bytes; it takes the next string id (0, 1, ...) |
 * | `0x88` | a string met before: ULEB128 string id (ids >= 64) |
 * | `0xc0`-`0xff` | a string met before, id = tag - `0xc0` (ids 0..63) |
 * | `0x8b` | a string when 65,536 strings are already interned: ULEB128 byte length, UTF-8 bytes (no id) |
 * | `0x89` | an array: ULEB128 count, then that many values |
 * | `0x8a` | a record (plain object): ULEB128 count, then per member its key (a string value) and its value, in the object's own key order (`Object.keys`); members whose value is absent are left out, as `JSON.stringify` leaves them |
 * @module
 */

/** The value tags of the event byte stream. */
export const TAG = {
  INT32: 0x80, FLOAT64: 0x81, NAN: 0x82, FALSE: 0x83, TRUE: 0x84, NULL: 0x85, ABSENT: 0x86,
  STRING_NEW: 0x87, STRING_REF: 0x88, ARRAY: 0x89, RECORD: 0x8a, STRING_RAW: 0x8b, STRING_SHORT: 0xc0,
} as const;

/** Strings interned per stream at most; later new strings are written whole each time (`0x8b`). */
export const MAX_INTERNED = 65_536;

/** The largest the buffer grows (it starts at 1 KiB), and so the largest chunk the sink is fed but for one larger value. */
export const CHUNK_BYTES = 65_536;

const utf8 = new TextEncoder();

/** Appends tagged values to a reused buffer and feeds full chunks to `sink`. */
export class RecordWriter {
  /** Starts small (a short run, a test kernel, hashes a few hundred bytes) and grows to CHUNK_BYTES. */
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly strings = new Map<string, number>();
  /** Per call site (`strAt`): the last string written there and its id. */
  private readonly slotStr: (string | undefined)[] = new Array<string | undefined>(32).fill(undefined);
  private readonly slotId = new Int32Array(32);

  /** A writer that hands its bytes to `sink` (which must consume them before returning). */
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  /** Hand every byte written so far to the sink. */
  flush(): void {
    if (this.pos === 0) return;
    this.sink(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  /**
   * Make room for `n` more bytes: grow the buffer while it is below CHUNK_BYTES and they fit
   * within that, else flush (and grow the buffer if `n` alone exceeds it).
   */
  private room(n: number): void {
    const need = this.pos + n;
    if (need <= CHUNK_BYTES && this.buf.length < CHUNK_BYTES) return this.resize(Math.min(CHUNK_BYTES, Math.max(need, this.buf.length * 2)));
    this.flush();
    if (n > this.buf.length) this.resize(n);
  }

  /** A buffer of `size` bytes, keeping what is written. */
  private resize(size: number): void {
    const buf = new Uint8Array(size);
    buf.set(this.buf.subarray(0, this.pos));
    this.buf = buf;
    this.view = new DataView(buf.buffer);
  }

  /**
   * The fast lane of the hot layouts: make room for `n` bytes of `put*` writes and return the
   * position to write at; `end` commits it. Between the two, nothing else may write.
   */
  begin(n: number): number {
    if (this.pos + n > this.buf.length) this.room(n);
    return this.pos;
  }

  /** Commit the fast-lane writes up to position `p` (see {@link begin}). */
  end(p: number): void {
    this.pos = p;
  }

  /** Fast lane: `tag` at `p`; returns the next position. */
  putTag(p: number, tag: number): number {
    this.buf[p] = tag;
    return p + 1;
  }

  /** Fast lane: a number at `p`, as {@link num} writes it; returns the next position. */
  putNum(p: number, v: number): number {
    const b = this.buf;
    if ((v | 0) === v) {
      if (v >= 0 && v < 128) {
        b[p] = v;
        return p + 1;
      }
      b[p] = TAG.INT32;
      this.view.setInt32(p + 1, v, true);
      return p + 5;
    }
    if (v !== v) {
      b[p] = TAG.NAN;
      return p + 1;
    }
    b[p] = TAG.FLOAT64;
    this.view.setFloat64(p + 1, v, true);
    return p + 9;
  }

  /** Fast lane: a tag and a ULEB128 count at `p`; returns the next position. */
  putCount(p: number, tag: number, n: number): number {
    this.pos = p;
    this.buf[this.pos++] = tag;
    this.uleb(n);
    return this.pos;
  }

  /**
   * Fast lane: a string at `p`, as {@link strAt} writes it (call-site `slot`); returns the next
   * position. A string not seen at this slot goes the slow way (`str`, which may flush), and the
   * lane is begun again for `n` bytes.
   */
  putStrAt(p: number, s: string, slot: number, n: number): number {
    if (this.slotStr[slot] === s) {
      const id = this.slotId[slot]!;
      if (id < 64) {
        this.buf[p] = TAG.STRING_SHORT + id;
        return p + 1;
      }
      this.pos = p;
      this.ref(id);
      return this.pos;
    }
    this.pos = p;
    this.strAt(s, slot);
    return this.begin(n);
  }

  /** Any value, as the table in the module comment says. */
  value(v: unknown): void {
    switch (typeof v) {
      case "number": return this.num(v);
      case "string": return void this.str(v);
      case "boolean": return this.tag(v ? TAG.TRUE : TAG.FALSE);
      case "object": return v === null ? this.tag(TAG.NULL) : this.object(v);
      case "bigint": throw new TypeError("an event payload cannot hold a bigint");
      default: return this.tag(TAG.ABSENT);
    }
  }

  /** A tag with no bytes after it. */
  tag(t: number): void {
    if (this.pos + 1 > this.buf.length) this.room(1);
    this.buf[this.pos++] = t;
  }

  /** A number: 0..127 in the tag, else int32, else float64 (NaN its own tag). */
  num(v: number): void {
    if (this.pos + 9 > this.buf.length) this.room(9);
    const p = this.pos;
    if ((v | 0) === v) {
      if (v >= 0 && v < 128) {
        this.buf[p] = v;
        this.pos = p + 1;
      } else {
        this.buf[p] = TAG.INT32;
        this.view.setInt32(p + 1, v, true);
        this.pos = p + 5;
      }
    } else if (v !== v) {
      this.buf[p] = TAG.NAN;
      this.pos = p + 1;
    } else {
      this.buf[p] = TAG.FLOAT64;
      this.view.setFloat64(p + 1, v, true);
      this.pos = p + 9;
    }
  }

  /** A string: its id when interned, else its UTF-8 bytes (interning it while the table has room). Returns its id, or -1 when it was not interned. */
  str(s: string): number {
    const id = this.strings.get(s);
    if (id !== undefined) {
      this.ref(id);
      return id;
    }
    const interned = this.strings.size < MAX_INTERNED;
    const newId = interned ? this.strings.size : -1;
    if (interned) this.strings.set(s, newId);
    const bytes = utf8.encode(s);
    if (this.pos + 6 + bytes.length > this.buf.length) this.room(6 + bytes.length);
    this.buf[this.pos++] = interned ? TAG.STRING_NEW : TAG.STRING_RAW;
    this.uleb(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return newId;
  }

  /**
   * A string, as {@link str} writes it, remembering the last one written at call site `slot`
   * (0..31): a hot emitter writes the same few string objects again and again, and comparing
   * with the last one is cheaper than a map lookup. Same bytes as `str`.
   */
  strAt(s: string, slot: number): void {
    if (this.slotStr[slot] === s) return this.ref(this.slotId[slot]!);
    const id = this.str(s);
    if (id >= 0) {
      this.slotStr[slot] = s;
      this.slotId[slot] = id;
    }
  }

  /** A reference to interned string `id`. */
  private ref(id: number): void {
    if (this.pos + 6 > this.buf.length) this.room(6);
    if (id < 64) this.buf[this.pos++] = TAG.STRING_SHORT + id;
    else {
      this.buf[this.pos++] = TAG.STRING_REF;
      this.uleb(id);
    }
  }

  /** An array or a record (an object with `toJSON`, such as a Date, is written as what that returns). */
  private object(v: object): void {
    if (Array.isArray(v)) {
      this.count(TAG.ARRAY, v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i]);
      return;
    }
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return this.value(toJSON.call(v));
    this.record(v as Record<string, unknown>);
  }

  /** A record: its members with a present value, in `Object.keys` order. */
  record(v: Readonly<Record<string, unknown>>): void {
    const keys = Object.keys(v);
    let n = 0;
    for (const key of keys) if (present(v[key])) n++;
    this.count(TAG.RECORD, n);
    for (const key of keys) {
      const m = v[key];
      if (!present(m)) continue;
      this.str(key);
      this.value(m);
    }
  }

  /** A tag and a ULEB128 count. */
  private count(tag: number, n: number): void {
    if (this.pos + 6 > this.buf.length) this.room(6);
    this.buf[this.pos++] = tag;
    this.uleb(n);
  }

  /** Unsigned LEB128 of `n` (< 2^32); the caller made room for 5 bytes. */
  private uleb(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }
}

/** Whether a record member is written: not `undefined`, a function or a symbol (what `JSON.stringify` leaves out). */
function present(v: unknown): boolean {
  const t = typeof v;
  return t !== "undefined" && t !== "function" && t !== "symbol";
}
