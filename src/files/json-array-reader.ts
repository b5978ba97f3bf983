/**
 * Splits one JSON array, arriving in chunks, into its elements with @streamparser/json,
 * holding one element at a time: the tokenizer reports each token's byte offset, which gives
 * the line each element starts on. Syntax errors name the line and column.
 */
import {
  type ParsedElementInfo,
  type ParsedTokenInfo,
  Tokenizer,
  TokenizerError,
  TokenParser,
  TokenType,
} from '@streamparser/json';
import { InvalidInputError } from '../domain/errors.ts';
import { LineCounter } from './line-counter.ts';

export interface JsonElement {
  value: unknown;
  /** Its index in the array. */
  index: number;
  /** The 1-based line its first character is on. */
  line: number;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Tokens that close a container or separate values: no element starts with them. */
const NOT_A_START = new Set<TokenType>([
  TokenType.RIGHT_BRACE,
  TokenType.RIGHT_BRACKET,
  TokenType.COLON,
  TokenType.COMMA,
  TokenType.SEPARATOR,
]);

type State = 'start' | 'array' | 'done';

export class JsonArrayReader {
  private readonly tokenizer = new Tokenizer();
  private readonly parser = new TokenParser({ paths: ['$.*'], keepStack: false });
  private readonly lines = new LineCounter();
  private state: State = 'start';
  private depth = 0;
  private index = -1;
  private elementStart = -1;
  private elementLine = 0;
  private tokenOffset = 0;
  private head: Buffer | undefined = Buffer.alloc(0);
  private out: JsonElement[] = [];

  /**
   * @param file names the input in errors
   * @param maxElementBytes the largest element accepted: an element is held whole, so this
   * bounds the memory one element can take
   */
  constructor(
    private readonly file: string,
    private readonly maxElementBytes: number,
  ) {
    this.tokenizer.onToken = (token) => this.onToken(token);
    this.parser.onValue = (info) => this.onValue(info);
  }

  /** Feeds the next chunk; returns the elements it completed, in order. */
  write(chunk: Buffer): JsonElement[] {
    let bytes = chunk;
    if (this.head !== undefined) {
      // A UTF-8 byte order mark is dropped before tokenizing, so offsets count from after it.
      bytes = Buffer.concat([this.head, chunk]);
      if (bytes.length < BOM.length && BOM.subarray(0, bytes.length).equals(bytes)) {
        this.head = bytes;
        return [];
      }
      this.head = undefined;
      if (bytes.subarray(0, BOM.length).equals(BOM)) bytes = bytes.subarray(BOM.length);
    }
    this.lines.push(bytes);
    this.feed(() => this.tokenizer.write(bytes));
    if (this.elementStart >= 0 && this.lines.end - this.elementStart > this.maxElementBytes) {
      throw new InvalidInputError(
        this.file,
        `[${this.index}]`,
        `a record is larger than ${this.maxElementBytes} bytes`,
        { line: this.elementLine },
      );
    }
    return this.take();
  }

  /** Ends the input; returns the last elements. A blank input is an empty array. */
  end(): JsonElement[] {
    if (this.head !== undefined && this.head.length > 0) {
      const head = this.head;
      this.head = undefined;
      this.lines.push(head);
      this.feed(() => this.tokenizer.write(head));
    }
    this.feed(() => this.tokenizer.end());
    if (this.state === 'array')
      this.syntaxError('the array is not closed (the input ends inside it)', this.lines.end);
    return this.take();
  }

  private take(): JsonElement[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private onToken(token: ParsedTokenInfo): void {
    this.tokenOffset = token.offset;
    if (this.state === 'done') this.syntaxError('unexpected data after the array', token.offset);
    if (this.state === 'start') {
      if (token.token !== TokenType.LEFT_BRACKET) {
        throw new InvalidInputError(this.file, '(root)', 'must be a JSON array', {
          line: this.lines.lineAt(token.offset),
        });
      }
      this.state = 'array';
    } else if (this.depth === 1 && !NOT_A_START.has(token.token)) {
      this.index++;
      this.elementStart = token.offset;
      this.elementLine = this.lines.lineAt(token.offset);
    }
    if (token.token === TokenType.LEFT_BRACE || token.token === TokenType.LEFT_BRACKET)
      this.depth++;
    else if (token.token === TokenType.RIGHT_BRACE || token.token === TokenType.RIGHT_BRACKET)
      this.depth--;
    this.parser.write(token);
    if (this.depth === 0) this.state = 'done';
  }

  private onValue(info: ParsedElementInfo): void {
    this.out.push({ value: info.value, index: this.index, line: this.elementLine });
    this.elementStart = -1;
  }

  /** Runs the tokenizer, turning its and the token parser's errors into positioned ones. */
  private feed(work: () => void): void {
    try {
      work();
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof TokenizerError) {
        const char = /^Unexpected "([\s\S]*)" at chunk position/.exec(message);
        const at = /absolute position "(\d+)"/.exec(message);
        if (char && at) this.syntaxError(`unexpected ${JSON.stringify(char[1])}`, Number(at[1]));
        this.syntaxError('the input ends inside a value', this.lines.end);
      }
      // The token parser rejects a token in the wrong place: "Unexpected COMMA (",") in …".
      const token = /^Unexpected \w+ \(("[\s\S]*")\)/.exec(message);
      this.syntaxError(token ? `unexpected ${token[1]}` : message, this.tokenOffset);
    }
  }

  private syntaxError(problem: string, offset: number): never {
    throw new InvalidInputError(
      this.file,
      '(json)',
      `not valid JSON: ${problem}`,
      this.lines.positionAt(offset),
    );
  }
}
