/** Errors of the review service, each with a stable code the HTTP layer maps to a status. */
import { ClaimIntakeError } from '../domain/errors.ts';

export type ReviewErrorCode =
  /** No such claim (404). */
  | 'not_found'
  /** Someone else decided or changed the claim since the agent loaded it (409). */
  | 'version_conflict'
  /** The claim is not waiting for review, e.g. decided automatically or settled (409). */
  | 'not_reviewable'
  /** The request itself is wrong: bad amount, unknown reason, missing note (400). */
  | 'invalid_input';

export class ReviewError extends ClaimIntakeError {
  declare readonly code: ReviewErrorCode;

  constructor(code: ReviewErrorCode, message: string) {
    super(code, message);
  }
}

/** The HTTP status each code stands for, so every route maps them the same way. */
export const REVIEW_ERROR_STATUS: Record<ReviewErrorCode, number> = {
  not_found: 404,
  version_conflict: 409,
  not_reviewable: 409,
  invalid_input: 400,
};
