import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Server } from 'socket.io';
import { safeEqual } from './secret.ts';
import { isSessionId } from '../store/session-id.ts';
import { parseExact } from '../exact-json.ts';

/** Largest body /celeryTaskCompleted reads: one operation's reply (a chart's PNG in base64 fits). */
const NOTIFY_BODY_BYTES = 10 * 1024 * 1024;

const notifySchema = z
  .object({ sessionID: z.string().refine(isSessionId, 'must be 30 lowercase hexadecimal characters'), operation: z.string().min(1), requestID: z.unknown().optional(), changed: z.unknown().optional() })
  .passthrough();

/**
 * POST /celeryTaskCompleted: how an out-of-process worker pushes a finished operation's
 * result to the clients of its session. Only callers holding the internal secret may speak
 * to clients through it.
 */
export function registerNotify(app: FastifyInstance, io: Server, secret: string): void {
  // The secret is checked on the request line and headers, before the body is read or
  // parsed: a caller without it gets 401 whatever it sends, and costs no parse.
  const onRequest = async (req: FastifyRequest, reply: FastifyReply) => {
    const given = String(req.headers['x-willow-secret'] ?? '') || (/^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '');
    if (!given || !safeEqual(given, secret)) {
      return reply.code(401).send({ success: false, error: 'unauthorized', errorDescription: 'this endpoint is internal: present the server secret' });
    }
  };
  const relay = async (req: FastifyRequest, reply: FastifyReply) => {
    const parsed = notifySchema.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(400).send({ success: false, error: 'invalid body', errorDescription: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    }
    const body = parsed.data;
    io.to(body.sessionID).emit(body.operation, body);
    if (body.changed) io.to(body.sessionID).emit('dataChanged', { sessionID: body.sessionID, requestID: body.requestID ?? null });
    return reply.send({ success: true });
  };
  // The body is a reply to relay: its integers beyond 2^53 (int64 values, which a Python
  // worker writes exactly) must reach the clients as written, not rounded by JSON.parse.
  // Fastify's own parser still checks the text first (syntax, empty body, __proto__ and
  // constructor keys) and refuses what it refused; then the text is parsed again, exactly.
  app.register(async (scope) => {
    const checked = scope.getDefaultJsonParser('error', 'error');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, text, done) => {
      checked(req, text as string, (err: Error | null) => (err ? done(err, undefined) : done(null, parseExact(text as string))));
    });
    scope.post('/celeryTaskCompleted', { onRequest, bodyLimit: NOTIFY_BODY_BYTES }, relay);
  });
}
