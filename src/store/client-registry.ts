import { DatabaseSync, type StatementSync } from 'node:sqlite';
import path from 'node:path';
import fs from 'node:fs';

/**
 * Which Socket.IO client looks at which session, as the original kept it in SQLite.
 * `file`: name of the database inside `dir`; a gateway of a distributed deployment keeps its
 * own (socket IDs only mean something to the gateway holding the connection).
 */
export class ClientRegistry {
  private readonly db: DatabaseSync;
  private readonly upsert: StatementSync;
  private readonly removeSocket: StatementSync;
  private readonly bySession: StatementSync;
  private readonly bySocket: StatementSync;

  constructor(dataDir: string, file = 'registry.sqlite') {
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new DatabaseSync(path.join(dataDir, file));
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      -- In WAL mode NORMAL syncs at checkpoints only, not at every write (the registry is
      -- cleared at every start: its last writes are not worth an fsync each).
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS clients (
        socket_id  TEXT NOT NULL,
        session_id TEXT NOT NULL,
        joined_at  TEXT NOT NULL,
        PRIMARY KEY (socket_id, session_id)
      );
      CREATE INDEX IF NOT EXISTS clients_session ON clients(session_id);
    `);
    this.upsert = this.db.prepare('INSERT OR IGNORE INTO clients (socket_id, session_id, joined_at) VALUES (?, ?, ?)');
    this.removeSocket = this.db.prepare('DELETE FROM clients WHERE socket_id = ?');
    this.bySession = this.db.prepare('SELECT socket_id FROM clients WHERE session_id = ? ORDER BY joined_at');
    this.bySocket = this.db.prepare('SELECT session_id FROM clients WHERE socket_id = ? ORDER BY joined_at');
  }

  join(socketId: string, sessionId: string): void {
    this.upsert.run(socketId, sessionId, new Date().toISOString());
  }
  leave(socketId: string): void {
    this.removeSocket.run(socketId);
  }
  socketsOf(sessionId: string): string[] {
    return this.bySession.all(sessionId).map((r) => String(r.socket_id));
  }
  sessionsOf(socketId: string): string[] {
    return this.bySocket.all(socketId).map((r) => String(r.session_id));
  }
  /** Sockets of an earlier run of this server are gone; forget them at start-up. */
  clear(): void {
    this.db.exec('DELETE FROM clients');
  }
  close(): void {
    this.db.close();
  }
}
