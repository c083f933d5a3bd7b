// wire.header_codec: encode + decode of the 68-byte packet header into reusable objects, against a plain
// Buffer-methods codec (what a straightforward port would write: an object per decode, bigint reads).
import { compareNs, type BenchCase } from '../harness.js';
import { HEADER_BYTES, PacketHeader, decodeHeaderInto, encodeHeaderInto } from '../../src/wire/index.js';

const h = PacketHeader.from({
  flags: 1, priority: 3, hopTtl: 16, channelHash: 0x1234, sessionId: 0x1122334455667788n, streamId: 7n,
  sequence: 123456789n, originHash: 0x0a0b0c0d0e0f1011n, payloadLen: 1024, eventCount: 4,
});
const buf = new Uint8Array(HEADER_BYTES);
const out = new PacketHeader();

function bufferEncode(b: Buffer, v: ReturnType<typeof bufferDecode>): void {
  b.writeUInt16LE(0x4e45, 0); b.writeUInt8(1, 2); b.writeUInt8(v.flags, 3); b.writeUInt8(v.priority, 4);
  b.writeUInt8(v.hopTtl, 5); b.writeUInt8(v.hopCount, 6); b.writeUInt8(v.fragFlags, 7);
  b.writeUInt16LE(v.subprotocolId, 8); b.writeUInt16LE(v.channelHash, 10); v.nonce.copy(b, 12);
  b.writeBigUInt64LE(v.sessionId, 24); b.writeBigUInt64LE(v.streamId, 32); b.writeBigUInt64LE(v.sequence, 40);
  b.writeBigUInt64LE(v.originHash, 48); b.writeUInt32LE(v.subnetId, 56); b.writeUInt16LE(v.fragmentId, 60);
  b.writeUInt16LE(v.fragmentOffset, 62); b.writeUInt16LE(v.payloadLen, 64); b.writeUInt16LE(v.eventCount, 66);
}
function bufferDecode(b: Buffer) {
  if (b.length < 68 || b.readUInt16LE(0) !== 0x4e45 || b[2] !== 1) throw new Error('bad header');
  return {
    flags: b[3]!, priority: b[4]!, hopTtl: b[5]!, hopCount: b[6]!, fragFlags: b[7]!, subprotocolId: b.readUInt16LE(8),
    channelHash: b.readUInt16LE(10), nonce: b.subarray(12, 24), sessionId: b.readBigUInt64LE(24),
    streamId: b.readBigUInt64LE(32), sequence: b.readBigUInt64LE(40), originHash: b.readBigUInt64LE(48),
    subnetId: b.readUInt32LE(56), fragmentId: b.readUInt16LE(60), fragmentOffset: b.readUInt16LE(62),
    payloadLen: b.readUInt16LE(64), eventCount: b.readUInt16LE(66),
  };
}

const cases: BenchCase[] = [
  {
    name: 'wire.header_codec',
    async run() {
      encodeHeaderInto(h, buf, 0);
      const nb = Buffer.alloc(HEADER_BYTES);
      encodeHeaderInto(h, nb, 0);
      const v = bufferDecode(nb);
      const ns = await compareNs({
        ours: () => {
          encodeHeaderInto(h, buf, 0);
          return decodeHeaderInto(buf, 0, out);
        },
        buffer_methods: () => {
          bufferEncode(nb, v);
          return bufferDecode(nb);
        },
      });
      return { value: ns.ours, unit: 'ns', baseline: { buffer_methods: ns.buffer_methods }, notes: 'encode+decode, 68 B' };
    },
  },
];
export default cases;
