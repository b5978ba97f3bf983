/**
 * Turns byte offsets in a stream read chunk by chunk into 1-based lines and columns,
 * without keeping the stream: only the current chunk and the one before it are held.
 * Lookups are meant to move forward (each element of an array starts after the last), so
 * every newline is counted once.
 */
import type { InputPosition } from '../domain/errors.ts';

const NEWLINE = 0x0a;

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

  /** Bytes seen so far: the offset just past the current chunk. */
  get end(): number {
    return this.chunkStart + this.chunk.length;
  }

  /** Moves on to the next chunk of the stream. */
  push(chunk: Buffer): void {
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

  /** The line and, when its line starts within the held chunks, the column (in characters). */
  positionAt(offset: number): InputPosition {
    const line = this.lineAt(offset);
    const held = Buffer.concat([this.previous, this.chunk]);
    const at = Math.min(offset - this.previousStart, held.length);
    if (at < 0) return { line };
    const lineStart = at === 0 ? -1 : held.lastIndexOf(NEWLINE, at - 1);
    if (lineStart === -1 && this.previousStart > 0) return { line };
    return { line, column: held.toString('utf8', lineStart + 1, at).length + 1 };
  }
}
