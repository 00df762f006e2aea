import './thread-pool.ts'; // first: sizes libuv's pool before anything uses it
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { createGateway } from './gateway/server.ts';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);

const gateway = await createGateway(config, log);
const port = await gateway.listen();
log.info({ port, dataDir: config.dataDir, queue: config.QUEUE }, 'willow listening');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    log.info({ signal }, 'shutting down');
    await gateway.close();
    process.exit(0);
  });
}
