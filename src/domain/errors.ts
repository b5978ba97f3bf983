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

/** A records, policy or calendar input that does not hold what the contract says. */
export class InvalidInputError extends ClaimIntakeError {
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, problem: string) {
    super('invalid_input', `${file}: ${field}: ${problem}`);
    this.file = file;
    this.field = field;
  }
}
