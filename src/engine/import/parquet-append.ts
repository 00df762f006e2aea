import fs from 'node:fs/promises';

/**
 * Appending one Parquet file's row groups to another without decoding them: the bytes of
 * the row groups (pages, dictionaries, bloom filters, page indexes) are copied as they are,
 * and the footer is rewritten with the second file's offsets moved by where its bytes now
 * start. Used by the split streamed import (a head read from the upload's pipe, a tail read
 * in parallel from a file) to give the first version one file, as if read in one pass.
 *
 * The footer is Thrift in the compact protocol (Parquet's format spec, parquet.thrift; the
 * protocol: Apache Thrift's compact protocol spec). It is decoded into a generic tree that
 * keeps every field, so that what is written back is what was read but for the offsets.
 */

/** Thrift compact type codes. */
const T = { TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 } as const;

type Value = bigint | number | boolean | Buffer | Value[] | Field[] | MapValue;
interface MapValue {
  keyType: number;
  valueType: number;
  entries: [Value, Value][];
}
/** A struct field; `elementType` for lists and sets. */
interface Field {
  id: number;
  type: number;
  value: Value;
  elementType?: number;
}

class Reader {
  pos = 0;
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  byte(): number {
    if (this.pos >= this.buf.length) throw new ParquetAppendError('footer ends early');
    return this.buf[this.pos++];
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ParquetAppendError('varint too long');
    }
  }
  zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }
  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new ParquetAppendError('footer ends early');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  value(type: number): Value {
    switch (type) {
      case T.TRUE:
        return true;
      case T.FALSE:
        return false;
      case T.BYTE:
        return this.byte();
      case T.I16:
      case T.I32:
        return Number(this.zigzag());
      case T.I64:
        return this.zigzag();
      case T.DOUBLE:
        return Buffer.from(this.bytes(8));
      case T.BINARY:
        return Buffer.from(this.bytes(Number(this.varint())));
      case T.LIST:
      case T.SET: {
        const { size, elementType } = this.listHeader();
        const items: Value[] = [];
        // Booleans in a list are one byte each (1 true, 2 false), kept as that byte.
        for (let i = 0; i < size; i++) items.push(elementType === T.TRUE || elementType === T.FALSE ? this.byte() : this.value(elementType));
        return Object.assign(items, { elementType });
      }
      case T.MAP: {
        const size = Number(this.varint());
        if (size === 0) return { keyType: 0, valueType: 0, entries: [] };
        const kinds = this.byte();
        const keyType = kinds >> 4;
        const valueType = kinds & 0x0f;
        const entries: [Value, Value][] = [];
        for (let i = 0; i < size; i++) entries.push([this.value(keyType), this.value(valueType)]);
        return { keyType, valueType, entries };
      }
      case T.STRUCT:
        return this.struct();
      default:
        throw new ParquetAppendError(`unknown Thrift type ${type}`);
    }
  }
  listHeader(): { size: number; elementType: number } {
    const h = this.byte();
    const short = h >> 4;
    return { size: short === 15 ? Number(this.varint()) : short, elementType: h & 0x0f };
  }
  struct(): Field[] {
    const fields: Field[] = [];
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return fields;
      const type = h & 0x0f;
      const delta = h >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      const value = this.value(type);
      fields.push({ id, type, value, ...(Array.isArray(value) && (type === T.LIST || type === T.SET) ? { elementType: (value as Value[] & { elementType: number }).elementType } : {}) });
    }
  }
}

class Writer {
  private chunks: Buffer[] = [];
  private bytes: number[] = [];
  private flushBytes(): void {
    if (this.bytes.length) this.chunks.push(Buffer.from(this.bytes));
    this.bytes = [];
  }
  byte(b: number): void {
    this.bytes.push(b & 0xff);
  }
  varint(v: bigint): void {
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      this.byte(b);
    } while (v !== 0n);
  }
  zigzag(v: bigint): void {
    this.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
  }
  raw(buf: Buffer): void {
    this.flushBytes();
    this.chunks.push(buf);
  }
  value(type: number, v: Value, elementType?: number): void {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        return;
      case T.BYTE:
        return this.byte(v as number);
      case T.I16:
      case T.I32:
        return this.zigzag(BigInt(v as number));
      case T.I64:
        return this.zigzag(v as bigint);
      case T.DOUBLE:
        return this.raw(v as Buffer);
      case T.BINARY:
        this.varint(BigInt((v as Buffer).length));
        return this.raw(v as Buffer);
      case T.LIST:
      case T.SET: {
        const items = v as Value[];
        const et = elementType ?? (v as Value[] & { elementType?: number }).elementType ?? 0;
        if (items.length < 15) this.byte((items.length << 4) | et);
        else {
          this.byte(0xf0 | et);
          this.varint(BigInt(items.length));
        }
        for (const item of items) {
          if (et === T.TRUE || et === T.FALSE) this.byte(item as number);
          else this.value(et, item);
        }
        return;
      }
      case T.MAP: {
        const m = v as MapValue;
        this.varint(BigInt(m.entries.length));
        if (m.entries.length === 0) return;
        this.byte((m.keyType << 4) | m.valueType);
        for (const [k, val] of m.entries) {
          this.value(m.keyType, k);
          this.value(m.valueType, val);
        }
        return;
      }
      case T.STRUCT:
        return this.struct(v as Field[]);
      default:
        throw new ParquetAppendError(`unknown Thrift type ${type}`);
    }
  }
  struct(fields: Field[]): void {
    let last = 0;
    for (const f of fields) {
      const type = f.type === T.TRUE || f.type === T.FALSE ? (f.value ? T.TRUE : T.FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(BigInt(f.id));
      }
      last = f.id;
      this.value(type, f.value, f.elementType);
    }
    this.byte(0);
  }
  done(): Buffer {
    this.flushBytes();
    return Buffer.concat(this.chunks);
  }
}

export class ParquetAppendError extends Error {
  constructor(message: string) {
    super(`cannot append Parquet row groups: ${message}`);
    this.name = 'ParquetAppendError';
  }
}

const MAGIC = Buffer.from('PAR1');

/** The footer of a Parquet file: its FileMetaData and where it starts. */
async function footer(handle: fs.FileHandle): Promise<{ meta: Field[]; start: number }> {
  const { size } = await handle.stat();
  if (size < 12) throw new ParquetAppendError('file too short');
  const tail = Buffer.alloc(8);
  await handle.read(tail, 0, 8, size - 8);
  if (!tail.subarray(4).equals(MAGIC)) throw new ParquetAppendError('not a Parquet file (or an encrypted one)');
  const length = tail.readUInt32LE(0);
  const start = size - 8 - length;
  if (start < 4) throw new ParquetAppendError('footer length out of range');
  const buf = Buffer.alloc(length);
  await handle.read(buf, 0, length, start);
  const reader = new Reader(buf);
  const meta = reader.struct();
  return { meta, start };
}

const get = (fields: Field[], id: number): Field | undefined => fields.find((f) => f.id === id);

// Field ids of parquet.thrift. FileMetaData: 2 schema, 3 num_rows, 4 row_groups.
// RowGroup: 1 columns, 5 file_offset, 7 ordinal. ColumnChunk: 2 file_offset, 3 meta_data,
// 4 offset_index_offset, 6 column_index_offset. ColumnMetaData: 9 data_page_offset,
// 10 index_page_offset, 11 dictionary_page_offset, 14 bloom_filter_offset.
const CHUNK_OFFSETS = [2, 4, 6];
const META_OFFSETS = [9, 10, 11, 14];

/** Move every absolute file offset of a row group by `delta` bytes. */
function shiftRowGroup(rowGroup: Field[], delta: bigint): void {
  const shift = (f: Field | undefined, keepZero: boolean) => {
    if (!f) return;
    if (f.type !== T.I64) throw new ParquetAppendError(`offset field ${f.id} is not an i64`);
    // file_offset 0 is "not set" in writers that leave it (DuckDB's ColumnChunk.file_offset).
    if (keepZero && f.value === 0n) return;
    f.value = (f.value as bigint) + delta;
  };
  shift(get(rowGroup, 5), true);
  const columns = get(rowGroup, 1);
  if (!columns) throw new ParquetAppendError('row group without columns');
  for (const chunk of columns.value as Field[][]) {
    if (get(chunk, 1)) throw new ParquetAppendError('column chunk in another file');
    for (const id of CHUNK_OFFSETS) shift(get(chunk, id), id === 2);
    const meta = get(chunk, 3);
    if (!meta) throw new ParquetAppendError('column chunk without its metadata');
    for (const id of META_OFFSETS) shift(get(meta.value as Field[], id), false);
  }
}

/**
 * Append the rows of Parquet file `extra` to Parquet file `target`, in place: `target` then
 * holds its own rows followed by `extra`'s, in their row groups, as written. The two files
 * must have the same schema (else ParquetAppendError, `target` unchanged). `extra` is left
 * as it was. Costs a copy of `extra`'s bytes; nothing is decoded.
 */
export async function appendParquet(target: string, extra: string): Promise<void> {
  const out = await fs.open(target, 'r+');
  try {
    const src = await fs.open(extra, 'r');
    try {
      const a = await footer(out);
      const b = await footer(src);
      const schema = (m: Field[]) => {
        const w = new Writer();
        const f = get(m, 2);
        if (!f) throw new ParquetAppendError('no schema');
        w.value(f.type, f.value, f.elementType);
        return w.done();
      };
      if (!schema(a.meta).equals(schema(b.meta))) throw new ParquetAppendError('the files have different schemas');
      for (const m of [a.meta, b.meta]) {
        // Encrypted footers or columns (fields 8, 9) would need keys to move.
        if (get(m, 8) || get(m, 9)) throw new ParquetAppendError('encrypted file');
      }
      const groupsA = get(a.meta, 4);
      const groupsB = get(b.meta, 4);
      const rowsA = get(a.meta, 3);
      const rowsB = get(b.meta, 3);
      if (!groupsA || !groupsB || !rowsA || !rowsB) throw new ParquetAppendError('footer without row groups or row count');
      // extra's bytes after its magic go where target's footer was.
      const delta = BigInt(a.start - 4);
      const added = groupsB.value as Field[][];
      for (const g of added) shiftRowGroup(g, delta);
      const all = [...(groupsA.value as Field[][]), ...added];
      all.forEach((g, i) => {
        const ordinal = get(g, 7);
        if (ordinal) ordinal.value = i;
      });
      groupsA.value = Object.assign(all, { elementType: T.STRUCT });
      rowsA.value = (rowsA.value as bigint) + (rowsB.value as bigint);
      const w = new Writer();
      w.struct(a.meta);
      const meta = w.done();
      if (meta.length > 0xffffffff) throw new ParquetAppendError('footer too large');

      // Copy extra's row groups (and its bloom filters, page indexes) over target's footer.
      const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
      let from = 4;
      let to = a.start;
      while (from < b.start) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, b.start - from), from);
        if (bytesRead === 0) throw new ParquetAppendError('file shorter than its footer says');
        await writeAll(out, buf.subarray(0, bytesRead), to);
        from += bytesRead;
        to += bytesRead;
      }
      const end = Buffer.alloc(8);
      end.writeUInt32LE(meta.length, 0);
      MAGIC.copy(end, 4);
      await writeAll(out, meta, to);
      await writeAll(out, end, to + meta.length);
      await out.truncate(to + meta.length + 8);
    } finally {
      await src.close();
    }
  } finally {
    await out.close();
  }
}

async function writeAll(handle: fs.FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}
