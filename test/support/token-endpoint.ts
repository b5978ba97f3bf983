/**
 * A tiny OAuth2 token endpoint (RFC 6749 §3.2) on a free 127.0.0.1 port, for tests of the
 * token provider and of XOAUTH2 sign-in. Every POST's form is kept; the answer comes from the
 * test's `answer` function, which may also wait (to hold a request open).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenRequest {
  method: string;
  contentType: string | undefined;
  form: URLSearchParams;
}

export interface TokenAnswer {
  /** @defaultValue 200 */
  status?: number;
  /** JSON-encoded unless a string. */
  body: unknown;
}

export type AnswerFn = (request: TokenRequest) => TokenAnswer | Promise<TokenAnswer>;

export interface TokenEndpoint {
  /** `http://127.0.0.1:PORT/token` */
  url: string;
  /** Every request received, in order. */
  requests: TokenRequest[];
  /** Replaces the answer for the requests to come. */
  answer: AnswerFn;
  /** Stops listening and drops open connections. Safe to call twice. */
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTokenEndpoint(answer: AnswerFn): Promise<TokenEndpoint> {
  const requests: TokenRequest[] = [];
  const endpoint = { answer } as { answer: AnswerFn };
  const server = createServer(async (request, response) => {
    const received: TokenRequest = {
      method: request.method ?? '',
      contentType: request.headers['content-type'],
      form: new URLSearchParams(await readBody(request)),
    };
    requests.push(received);
    try {
      const { status = 200, body } = await endpoint.answer(received);
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      response.writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/html' : 'application/json',
        'cache-control': 'no-store',
      });
      response.end(text);
    } catch {
      response.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return Object.assign(endpoint, {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return stopped;
    },
  });
}
