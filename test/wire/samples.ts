/** Hand-computed sample encodings shared by the wire tests. */
import { HeaderFlag, type PacketHeaderInit } from '../../src/wire/index.js';
import { hex } from './harness.js';

/** A header with a distinct value in every field, and its bytes computed by hand. */
export const SAMPLE: Partial<PacketHeaderInit> = {
  flags: HeaderFlag.RELIABLE | HeaderFlag.PRIORITY | HeaderFlag.HEARTBEAT, // 0x25
  priority: 0x07,
  hopTtl: 0x20,
  hopCount: 0x03,
  fragFlags: 0x01,
  subprotocolId: 0x0b01,
  channelHash: 0xabcd,
  nonce: hex('101112131415161718191a1b'),
  sessionId: 0x1234_5678_90ab_cdefn,
  streamId: 0xfedc_ba09_8765_4321n,
  sequence: 0x0102_0304_0506_0708n,
  originHash: 0xdead_beef_cafe_baben,
  subnetId: 0x1234_5678,
  fragmentId: 0x0001,
  fragmentOffset: 0x0200,
  payloadLen: 1024,
  eventCount: 10,
};
export const SAMPLE_BYTES = hex(`
  454e 01 25 07 20 03 01 010b cdab
  101112131415161718191a1b
  efcdab9078563412
  21436587 09badcfe
  0807060504030201
  bebafecaefbeadde
  78563412
  0100 0002 0004 0a00`);

