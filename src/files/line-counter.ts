/**
 * Turns byte offsets in a stream read chunk by chunk into 1-based lines and columns,
 * without keeping the stream: only the current chunk and the one before it are held.
 * Lookups are meant to move forward (each element of an array starts after the last), so
 * every newline is counted once.
 */
import type { InputPosition } from '../domain/errors.ts';

const NEWLINE = 0x0a;

/** The most of a line's beginning kept from earlier chunks to count a column from. */
const MAX_CARRY = 64 * 1024;

/** Newlines in buf[from, to). */
function newlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(NEWLINE, from); i !== -1 && i < to; i = buf.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

export class LineCounter {
  private previous: Buffer = Buffer.alloc(0);
  private previousStart = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;
  /** The line at chunkStart. */
  private chunkLine = 1;
  /** A position inside the current chunk whose line is known: lookups resume from it. */
  private cursor = 0;
  private cursorLine = 1;
  /** The bytes between the last newline before the current chunk and the chunk. */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** The carry outgrew MAX_CARRY: columns on the current chunk's first line are unknown. */
  private carryLost = false;

  /** Bytes seen so far: the offset just past the current chunk. */
  get end(): number {
    return this.chunkStart + this.chunk.length;
  }

  /** Moves on to the next chunk of the stream. */
  push(chunk: Buffer): void {
    const last = this.chunk.lastIndexOf(NEWLINE);
    if (last !== -1) {
      this.carry = [this.chunk.subarray(last + 1)];
      this.carryBytes = this.chunk.length - last - 1;
      this.carryLost = false;
    } else if (!this.carryLost) {
      this.carry.push(this.chunk);
      this.carryBytes += this.chunk.length;
    }
    if (this.carryBytes > MAX_CARRY) {
      this.carry = [];
      this.carryBytes = 0;
      this.carryLost = true;
    }
    const nextLine = this.cursorLine + newlines(this.chunk, this.cursor, this.chunk.length);
    this.previous = this.chunk;
    this.previousStart = this.chunkStart;
    this.chunkStart += this.chunk.length;
    this.chunk = chunk;
    this.chunkLine = nextLine;
    this.cursor = 0;
    this.cursorLine = nextLine;
  }

  /**
   * The line of the byte at `offset`. Exact within the current and the previous chunk;
   * further back (a token longer than a chunk), the first line of the previous chunk.
   */
  lineAt(offset: number): number {
    const at = offset - this.chunkStart;
    if (at >= 0) {
      if (at < this.cursor) {
        this.cursor = 0;
        this.cursorLine = this.chunkLine;
      }
      const end = Math.min(at, this.chunk.length);
      this.cursorLine += newlines(this.chunk, this.cursor, end);
      this.cursor = end;
      return this.cursorLine;
    }
    const inPrevious = offset - this.previousStart;
    if (inPrevious < 0) return this.chunkLine - newlines(this.previous, 0, this.previous.length);
    return this.chunkLine - newlines(this.previous, inPrevious, this.previous.length);
  }

  /**
   * The line and, when known, the column (in characters) of the byte at `offset`. The column
   * is known in the current chunk when its line began at most MAX_CARRY bytes before it.
   */
  positionAt(offset: number): InputPosition {
    const line = this.lineAt(offset);
    const at = offset - this.chunkStart;
    if (at < 0 || at > this.chunk.length) return { line };
    const lineStart = at === 0 ? -1 : this.chunk.lastIndexOf(NEWLINE, at - 1);
    const here = this.chunk.toString('utf8', lineStart + 1, at).length;
    if (lineStart !== -1) return { line, column: here + 1 };
    if (this.carryLost) return { line };
    return { line, column: Buffer.concat(this.carry).toString('utf8').length + here + 1 };
  }
}
