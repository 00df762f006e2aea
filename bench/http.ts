import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface UploadTiming {
  status: number;
  body: Record<string, any>;
  /** Request start until the last body byte was handed to the socket. */
  sendMs: number;
  /** Request start until the whole response (the server answers once the import is done). */
  totalMs: number;
}

/**
 * A real multipart/form-data upload whose body is a stream: the preamble, the file read
 * from disk, the closing boundary. The file is never held in memory, and the length is
 * known up front so no chunked encoding is needed.
 */
export async function uploadFile(url: string, file: string, fields: Record<string, string> = {}): Promise<UploadTiming> {
  const boundary = `----willow-bench-${crypto.randomBytes(12).toString('hex')}`;
  let head = '';
  for (const [name, value] of Object.entries(fields)) head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(file)}"\r\nContent-Type: text/csv\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const size = fs.statSync(file).size;
  const length = Buffer.byteLength(head) + size + Buffer.byteLength(tail);

  async function* body() {
    yield Buffer.from(head);
    yield* fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
    yield Buffer.from(tail);
  }

  const { hostname, port } = new URL(url);
  const started = performance.now();
  let sendMs = 0;
  return new Promise<UploadTiming>((resolve, reject) => {
    const req = http.request(
      { method: 'POST', hostname, port, path: '/upload', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const totalMs = performance.now() - started;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, any>;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = { success: false, error: 'unparseable response', errorDescription: text.slice(0, 200) };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, sendMs: sendMs || totalMs, totalMs });
        });
      },
    );
    req.on('error', reject);
    req.on('finish', () => {
      sendMs = performance.now() - started;
    });
    pipeline(Readable.from(body()), req).catch(reject);
  });
}

export interface DownloadTiming {
  status: number;
  bytes: number;
  /** Request start until the response headers (the server writes the export before streaming it). */
  firstByteMs: number;
  totalMs: number;
}

/** GET a URL and count the bytes of the body without keeping them. */
export async function download(url: string): Promise<DownloadTiming> {
  const started = performance.now();
  return new Promise<DownloadTiming>((resolve, reject) => {
    http
      .get(url, (res) => {
        const firstByteMs = performance.now() - started;
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
        });
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, firstByteMs, totalMs: performance.now() - started }));
      })
      .on('error', reject);
  });
}
