import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import { safeEqual } from './secret.ts';
import { isSessionId } from '../store/session-id.ts';

const notifySchema = z
  .object({ sessionID: z.string().refine(isSessionId, 'must be 30 lowercase hexadecimal characters'), operation: z.string().min(1), requestID: z.unknown().optional(), changed: z.unknown().optional() })
  .passthrough();

/**
 * POST /celeryTaskCompleted: how an out-of-process worker pushes a finished operation's
 * result to the clients of its session. Only callers holding the internal secret may speak
 * to clients through it.
 */
export function registerNotify(app: FastifyInstance, io: Server, secret: string): void {
  app.post('/celeryTaskCompleted', async (req, reply) => {
    const given = String(req.headers['x-willow-secret'] ?? '') || (/^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '');
    if (!given || !safeEqual(given, secret)) {
      return reply.code(401).send({ success: false, error: 'unauthorized', errorDescription: 'this endpoint is internal: present the server secret' });
    }
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
