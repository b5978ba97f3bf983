/**
 * Errors with a stable code. `retryable` says whether trying again can help; the
 * pipeline turns non-retryable ones into permanent job failures.
 */
export class ClaimIntakeError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(
    code: string,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Where in a file a problem is: 1-based line, and column when known. */
export interface InputPosition {
  line: number;
  column?: number;
}

/**
 * A records, policy or calendar input that does not hold what the contract says. The message
 * names the file, the line when known (streamed records files), the field and the problem:
 * `orders.jsonl: line 7: [6].amount: must be a non-negative decimal string, got "x"`.
 */
export class InvalidInputError extends ClaimIntakeError {
  readonly file: string;
  readonly field: string;
  readonly problem: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(file: string, field: string, problem: string, at?: InputPosition) {
    const where = at
      ? `line ${at.line}${at.column === undefined ? '' : `, column ${at.column}`}: `
      : '';
    super('invalid_input', `${file}: ${where}${field}: ${problem}`);
    this.file = file;
    this.field = field;
    this.problem = problem;
    this.line = at?.line;
    this.column = at?.column;
  }

  /** The same complaint placed at a line of the file (kept when it already has one). */
  at(position: InputPosition): InvalidInputError {
    return this.line === undefined
      ? new InvalidInputError(this.file, this.field, this.problem, position)
      : this;
  }
}
