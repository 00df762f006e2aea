import { Decoder, Encoder, PacketType, protocol, type Packet } from 'socket.io-parser';
import { reviverFor } from './exact-request.ts';

/**
 * The event a packet that is no Socket.IO event becomes (MalformedPacket): not a name a
 * client's request could mean (the gateway answers it, and only it, as a malformed packet).
 */
export const MALFORMED_PACKET_EVENT = '\u0000willow:malformed-packet';

/** What the gateway gets of a malformed packet: its text, cut short, and socket.io-parser's reason. */
export interface MalformedPacket {
  packet: string;
  reason: string;
}

/** The MalformedPackets TolerantDecoder made: a client sending MALFORMED_PACKET_EVENT itself has made none. */
const made = new WeakSet<object>();

/** Whether an event's argument is a MalformedPacket of TolerantDecoder's. */
export function isMalformedPacket(value: unknown): value is MalformedPacket {
  return typeof value === 'object' && value !== null && made.has(value);
}

/** Characters of a malformed packet that its answer and the log quote. */
const QUOTED_PACKET_CHARS = 200;

/**
 * socket.io-parser's decoder, but a text packet it cannot decode becomes an event
 * (MALFORMED_PACKET_EVENT, with a MalformedPacket) on the packet's namespace instead of an
 * exception. On an exception socket.io closes the whole connection without a word
 * (Client.ondata → onerror → conn.close()): `42[]` (an event without a name), `42{}`, `42[`,
 * `42["connect"]` (a name socket.io reserves) each cut a client off, where every other
 * malformed request is answered and the connection goes on. The packet's text has been read
 * whole (Engine.IO frames it), so nothing of the connection's state is left half-read and
 * the next packet decodes as usual. A binary event whose attachments do not come before the
 * next text packet is answered as malformed and dropped; an attachment that comes unannounced
 * keeps socket.io's rule (it closes the connection): attachments are a client library's
 * framing, not a request.
 * Encoding is socket.io-parser's own: the wire format is unchanged for every client. Its
 * JSON.parse takes exactRequestReviver where a packet may need it (reviverFor), which marks
 * integers a double does not hold.
 */
class TolerantDecoder extends Decoder {
  override add(obj: unknown): void {
    if (typeof obj !== 'string') return super.add(obj);
    // A binary event whose attachments never came (`451-[…]` and then a text packet): the
    // parser would refuse the text packet that follows, a valid request answered as
    // malformed. The binary event is what is malformed: it is answered so and dropped, and
    // the text packet is decoded as usual.
    const self = this as unknown as { reconstructor: { reconPack: (Packet & { attachments?: number }) | null; finishedReconstruction(): void } | null };
    if (self.reconstructor) {
      const waiting = self.reconstructor.reconPack;
      self.reconstructor.finishedReconstruction();
      self.reconstructor = null;
      // Quoted in its own form: `51-["metadata",…]` (the attachments announced, the event's name).
      const name = Array.isArray(waiting?.data) ? JSON.stringify(waiting.data[0]) ?? 'null' : 'null';
      this.emitMalformed({ packet: `5${waiting?.attachments ?? ''}-[${name},…]`, reason: MISSING_ATTACHMENTS }, waiting?.nsp ?? '/');
    }
    // Integer literals a double does not hold are marked, for the gateway to refuse
    // (exact-request.ts), by the reviver the packet needs. socket.io-parser reads its
    // `reviver` option from `opts` at each decoding: it is set per packet.
    const opts = (this as unknown as { opts: { reviver?: unknown } }).opts;
    opts.reviver = reviverFor(obj);
    try {
      super.add(obj);
    } catch (err) {
      // socket.io-parser swallows JSON.parse's errors ("invalid payload"): a text the reviver
      // could not get through (nested too deep for its recursion) is read without it, as
      // parseRequestJson does; the worker refuses such a body for its depth.
      if (opts.reviver !== undefined) {
        opts.reviver = undefined;
        try {
          return super.add(obj);
        } catch {
          // malformed without the reviver too: answered below with the first reason
        }
      }
      this.emitMalformed({ packet: obj.length > QUOTED_PACKET_CHARS ? `${obj.slice(0, QUOTED_PACKET_CHARS - 1)}…` : obj, reason: (err as Error).message }, namespaceOf(obj));
    }
  }

  /** Hand the gateway a MalformedPacket as an event on namespace `nsp`. */
  private emitMalformed(malformed: MalformedPacket, nsp: string): void {
    made.add(malformed);
    const packet: Packet = { type: PacketType.EVENT, nsp, data: [MALFORMED_PACKET_EVENT, malformed] };
    this.emitReserved('decoded', packet);
  }
}

/** The reason given for a binary event whose attachments did not come before the next text packet. */
const MISSING_ATTACHMENTS = 'missing binary attachments';

/** socket.io-parser's reason a text packet did not decode, in words for a client. */
export function malformedReason(reason: string): string {
  if (reason === 'invalid payload') {
    return 'an event is a JSON array whose first item is its name, a string other than connect, connect_error, disconnect, disconnecting, newListener and removeListener (42["metadata",{…}])';
  }
  if (reason === MISSING_ATTACHMENTS) return 'it announced binary attachments that did not come before the next packet, and was dropped (requests are JSON: send them without binary data)';
  if (/^unknown packet type/.test(reason)) return 'its first character is no Socket.IO packet type (0 to 6; an event is 2: 42[…] over Engine.IO)';
  return reason;
}

/** The namespace a Socket.IO packet's text names (`42/admin,[…]`, `451-/admin,[…]`), or `/`. */
function namespaceOf(text: string): string {
  return /^\d(?:\d+-)?(\/[^,]*),/.exec(text)?.[1] ?? '/';
}

/** The parser given to Socket.IO's Server (its `parser` option): socket.io-parser with TolerantDecoder. */
export const tolerantParser = { protocol, PacketType, Encoder, Decoder: TolerantDecoder };
