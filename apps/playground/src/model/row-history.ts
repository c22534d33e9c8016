/**
 * The history of a sparse table (key -> fixed-width row of numbers) over the positions of a run,
 * stored compactly: a delta per position (only the rows that changed) and a full keyframe every
 * `keyframeEvery` positions. Any position is rebuilt from the keyframe at or before it plus at
 * most `keyframeEvery - 1` deltas, so stepping back is as cheap as stepping forward.
 */

interface Chunk {
  /** Keys, one per row. */
  readonly keys: Float64Array;
  /** Rows, `width` numbers each. */
  readonly rows: Float64Array;
  /** 1 = the row was set, 0 = the key was removed (deltas only). */
  readonly live: Uint8Array;
}

/** A change applied while rebuilding a position: a row (set) or null (removed). */
export type RowSink = (key: number, row: Float64Array | null) => void;

const EMPTY: Chunk = { keys: new Float64Array(0), rows: new Float64Array(0), live: new Uint8Array(0) };

/** Delta-and-keyframe history of a sparse table. Record with `set`/`remove` then `commit`. */
export class RowHistory {
  private readonly current = new Map<number, Float64Array>();
  private readonly pendingKeys: number[] = [];
  private readonly pendingRows: number[] = [];
  private readonly pendingLive: number[] = [];
  private readonly deltas: Chunk[] = [];
  private readonly keyframes: Chunk[] = [];

  /** A history of rows of `width` numbers; a keyframe every `keyframeEvery` positions. */
  constructor(readonly width: number, readonly keyframeEvery = 32) {
    if (keyframeEvery < 1) throw new RangeError("keyframeEvery must be at least 1");
  }

  /** Positions committed so far. */
  get length(): number {
    return this.deltas.length;
  }

  /** The row recorded for `key` at the latest position (while recording), or undefined. */
  latest(key: number): Float64Array | undefined {
    return this.current.get(key);
  }

  /** Record `row` for `key` at the position being built, if it differs from the latest one. */
  set(key: number, row: ArrayLike<number>): void {
    if (row.length !== this.width) throw new RangeError(`row of ${row.length} numbers, expected ${this.width}`);
    const old = this.current.get(key);
    if (old !== undefined && sameRow(old, row)) return;
    const copy = Float64Array.from(row);
    this.current.set(key, copy);
    this.pendingKeys.push(key);
    for (let i = 0; i < this.width; i++) this.pendingRows.push(copy[i]);
    this.pendingLive.push(1);
  }

  /** Record that `key` has no row at the position being built. */
  remove(key: number): void {
    if (!this.current.delete(key)) return;
    this.pendingKeys.push(key);
    for (let i = 0; i < this.width; i++) this.pendingRows.push(0);
    this.pendingLive.push(0);
  }

  /** Keys that have a row at the position being built. */
  keys(): IterableIterator<number> {
    return this.current.keys();
  }

  /** Close the position being built: store its delta, and a keyframe when one is due. */
  commit(): void {
    const pos = this.deltas.length;
    this.deltas.push(this.pendingKeys.length === 0 ? EMPTY : {
      keys: Float64Array.from(this.pendingKeys), rows: Float64Array.from(this.pendingRows), live: Uint8Array.from(this.pendingLive),
    });
    this.pendingKeys.length = 0;
    this.pendingRows.length = 0;
    this.pendingLive.length = 0;
    if (pos % this.keyframeEvery === 0) {
      const keys = new Float64Array(this.current.size);
      const rows = new Float64Array(this.current.size * this.width);
      let i = 0;
      for (const [k, r] of this.current) {
        keys[i] = k;
        rows.set(r, i * this.width);
        i++;
      }
      this.keyframes.push({ keys, rows, live: new Uint8Array(keys.length).fill(1) });
    }
  }

  /** Rebuild position `pos`: every row of the keyframe at or before it, then the later deltas, in order. */
  replay(pos: number, sink: RowSink): void {
    if (!Number.isInteger(pos) || pos < 0 || pos >= this.deltas.length) throw new RangeError(`position ${pos} outside 0..${this.deltas.length - 1}`);
    const k = Math.floor(pos / this.keyframeEvery);
    apply(this.keyframes[k], this.width, sink);
    for (let p = k * this.keyframeEvery + 1; p <= pos; p++) apply(this.deltas[p], this.width, sink);
  }

  /** Position `pos` as a map from key to row. */
  at(pos: number): Map<number, Float64Array> {
    const out = new Map<number, Float64Array>();
    this.replay(pos, (key, row) => {
      if (row === null) out.delete(key);
      else out.set(key, row);
    });
    return out;
  }

  /** Bytes held by stored deltas and keyframes (for measuring). */
  get bytes(): number {
    let n = 0;
    for (const c of [...this.deltas, ...this.keyframes]) n += c.keys.byteLength + c.rows.byteLength + c.live.byteLength;
    return n;
  }
}

function apply(chunk: Chunk, width: number, sink: RowSink): void {
  for (let i = 0; i < chunk.keys.length; i++) {
    sink(chunk.keys[i], chunk.live[i] === 1 ? chunk.rows.subarray(i * width, (i + 1) * width) : null);
  }
}

function sameRow(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
