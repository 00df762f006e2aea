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
 * the next packet decodes as usual. Binary attachments keep socket.io's rule (a desynchronized
 * attachment closes the connection): they are a client library's framing, not a request.
 * Encoding is socket.io-parser's own: the wire format is unchanged for every client. Its
 * JSON.parse takes exactRequestReviver where a packet may need it (reviverFor), which marks
 * integers a double does not hold.
 */
class TolerantDecoder extends Decoder {
  override add(obj: unknown): void {
    if (typeof obj !== 'string') return super.add(obj);
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
      const malformed: MalformedPacket = { packet: obj.length > QUOTED_PACKET_CHARS ? `${obj.slice(0, QUOTED_PACKET_CHARS - 1)}…` : obj, reason: (err as Error).message };
      made.add(malformed);
      const packet: Packet = { type: PacketType.EVENT, nsp: namespaceOf(obj), data: [MALFORMED_PACKET_EVENT, malformed] };
      this.emitReserved('decoded', packet);
    }
  }
}

/** socket.io-parser's reason a text packet did not decode, in words for a client. */
export function malformedReason(reason: string): string {
  if (reason === 'invalid payload') {
    return 'an event is a JSON array whose first item is its name, a string other than connect, connect_error, disconnect, disconnecting, newListener and removeListener (42["metadata",{…}])';
  }
  if (/^unknown packet type/.test(reason)) return 'its first character is no Socket.IO packet type (0 to 6; an event is 2: 42[…] over Engine.IO)';
  return reason;
}

/** The namespace a Socket.IO packet's text names (`42/admin,[…]`, `451-/admin,[…]`), or `/`. */
function namespaceOf(text: string): string {
  return /^\d(?:\d+-)?(\/[^,]*),/.exec(text)?.[1] ?? '/';
}

/** The parser given to Socket.IO's Server (its `parser` option): socket.io-parser with TolerantDecoder. */
export const tolerantParser = { protocol, PacketType, Encoder, Decoder: TolerantDecoder };
