/**
 * One email, normalized for the engine. Produced by src/mail/parse.ts from raw bytes;
 * the domain never sees MIME. Every field is always present so rules need no guards.
 */
export interface ParsedEmail {
  /** First From address, lower-cased; null when there is none or it is unparseable. */
  from: string | null;
  /** Display name of the first From address, decoded. */
  fromName: string | null;
  /** All To and Cc addresses, lower-cased. */
  to: string[];
  /** Decoded subject, unfolded, trimmed ('' when absent). */
  subject: string;
  /** The text part, or text derived from the HTML part when there is no text part. */
  text: string;
  /** The HTML part as received (never rendered by the engine), or null. */
  html: string | null;
  /** Message-ID without angle brackets, or null. */
  messageId: string | null;
  /** In-Reply-To message id without angle brackets, or null. */
  inReplyTo: string | null;
  /** References message ids without angle brackets, in order. */
  references: string[];
  /** The sender-controlled Date header as epoch ms; informational only, never the received time. */
  date: number | null;
  /** Headers the auto-generated rules (RFC 3834) and sender authentication read. */
  headers: AutoHeaders;
  attachments: AttachmentInfo[];
  /**
   * Set when the MIME parser rejected the message and a bounded fallback reading of the
   * raw header and body was used instead; names the parser's complaint.
   */
  parseError: string | null;
}

/**
 * How a feature reads a message's raw source (src/mail/parse.ts does the parsing). Only the
 * features that read email pass one: the store, which completes facts kept by older versions,
 * takes it as an argument and never parses by itself.
 */
export type EmailReader = (raw: Buffer) => Promise<ParsedEmail>;

export interface AutoHeaders {
  /** Lower-cased, trimmed values; null when the header is absent. */
  autoSubmitted: string | null;
  precedence: string | null;
  listId: string | null;
  /** Raw Return-Path value ('<>' for a null reverse path). */
  returnPath: string | null;
  /** The Sender header's address, lower-cased. */
  sender: string | null;
  xAutoreply: string | null;
  xAutorespond: string | null;
  /** Top-level content type, lower-cased, without parameters (e.g. 'multipart/report'). */
  contentType: string | null;
  /** Every Authentication-Results header value, in order. */
  authenticationResults: string[];
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the decoded content. */
  sha256: string;
}

/** An email with nothing in it: the base of fallbacks and hand-built test emails. */
export function emptyEmail(parseError: string | null): ParsedEmail {
  return {
    from: null,
    fromName: null,
    to: [],
    subject: '',
    text: '',
    html: null,
    messageId: null,
    inReplyTo: null,
    references: [],
    date: null,
    headers: {
      autoSubmitted: null,
      precedence: null,
      listId: null,
      returnPath: null,
      sender: null,
      xAutoreply: null,
      xAutorespond: null,
      contentType: null,
      authenticationResults: [],
    },
    attachments: [],
    parseError,
  };
}
