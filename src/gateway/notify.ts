import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Server } from 'socket.io';
import { safeEqual } from './secret.ts';
import { isSessionId } from '../store/session-id.ts';

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
  app.post('/celeryTaskCompleted', { onRequest, bodyLimit: NOTIFY_BODY_BYTES }, async (req, reply) => {
    const parsed = notifySchema.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(400).send({ success: false, error: 'invalid body', errorDescription: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    }
    const body = parsed.data;
    io.to(body.sessionID).emit(body.operation, body);
    if (body.changed) io.to(body.sessionID).emit('dataChanged', { sessionID: body.sessionID, requestID: body.requestID ?? null });
    return reply.send({ success: true });
  });
}
