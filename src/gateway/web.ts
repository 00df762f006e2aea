import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Client-side routes of the web app: they all answer index.html and the app routes itself. */
const APP_ROUTES = ['/', '/s/:sessionID'];

/**
 * Serve the built web client (web/dist, made by `npm run build:web`) at `/`. Hashed files
 * under /assets are cached for good; index.html never is, so a new build shows on reload.
 * Paths that are neither a file of the build nor an app route fall through to the API's
 * 404 JSON answer. Without a build, the app routes answer 503 saying how to make one (the
 * folder is named in the log only: replies show no path of the server).
 */
export async function registerWeb(app: FastifyInstance, distDir: string): Promise<void> {
  const root = path.resolve(distDir);
  const indexFile = path.join(root, 'index.html');
  const built = fs.existsSync(indexFile);
  // Where the build is missing is the server's business: the log's, not the replies'.
  if (!built) app.log.warn({ indexFile }, 'the web client is not built: its routes answer 503 until it is');
  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      index: false,
      wildcard: true,
      cacheControl: false,
      setHeaders(res, file) {
        res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  for (const url of APP_ROUTES) {
    app.get(url, async (_req, reply) => {
      if (!fs.existsSync(indexFile)) {
        return reply.code(503).send({ success: false, error: 'web client not built', errorDescription: 'the web client is not built (WEB_DIST holds no index.html); run npm run build:web' });
      }
      return reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(fs.createReadStream(indexFile));
    });
  }
}
