import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** Characters of a refused URL's path an answer quotes (a URL may be as long as Node's header limit, 16 KB). */
const QUOTED_PATH_CHARS = 200;

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route runs, answered in the
 * API's error shape and naming the client's own URL.
 * - FST_ERR_BAD_URL (400): a path the router cannot percent-decode (`/downloadCSV/%`, `%zz`,
 *   bytes that are not UTF-8 such as `%C0%AF`), whichever route it would have reached.
 *   Fastify's message quotes only a part of it, and clientText took a path such as
 *   `/downloadCSV/%` for a file of the server's and hid it (`<file> is not a valid url
 *   component`): the path is the client's, quoted here as sent (JSON escapes the rest).
 * - FST_ERR_MAX_PARAM_LENGTH (414): a path parameter past the router's maxParamLength.
 * - anything else the router reports, FST_ERR_ASYNC_CONSTRAINT (500) among them: a fault of
 *   the server's own, logged and answered as every internal error.
 */
export function frameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = err.statusCode ?? 500;
  const path = quotedPath(req.raw.url ?? req.url);
  if (err.code === 'FST_ERR_BAD_URL') {
    return reply.code(400).send({ success: false, error: 'bad request', errorDescription: `the URL path ${path} is not valid percent-encoding: every % must be followed by two hexadecimal digits, and the bytes they encode must be UTF-8 text (a % that is part of a name is written %25)` });
  }
  if (status < 500) return reply.code(status).send({ success: false, error: 'bad request', errorDescription: `the URL path ${path} was refused: ${err.message.replace(/^'[^']*' /, 'it ')}` });
  req.log.error({ err, url: req.url }, 'request failed before routing');
  return reply.code(status).send({ success: false, error: 'internal error', errorDescription: 'the server could not complete this request' });
}

/** The path of a request's URL (no query), JSON-quoted and cut to QUOTED_PATH_CHARS. */
function quotedPath(url: string): string {
  const path = url.split('?')[0];
  return JSON.stringify(path.length > QUOTED_PATH_CHARS ? `${path.slice(0, QUOTED_PATH_CHARS - 1)}…` : path);
}
