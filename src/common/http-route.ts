import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from './caller';

/**
 * An HTTP endpoint beside /graphql that a module provides (an export, an upload). The server authenticates
 * the bearer token and answers errors as JSON; the handler's service authorizes, as every service does, and the
 * handler writes the response.
 */
export interface HttpRoute {
  method: 'GET' | 'PUT' | 'POST';
  /** An express path, e.g. '/audit/export' or '/artifacts/:versionId'. */
  path: string;
  /** Parse a JSON body (up to 10 MB) into `request.body` first; malformed JSON is a 400 before the handler. */
  json?: boolean;
  handle(
    request: IncomingMessage & { params: Record<string, string>; body?: unknown },
    response: ServerResponse,
    caller: Caller,
    url: URL,
  ): Promise<void>;
}
