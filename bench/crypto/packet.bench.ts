// crypto.packet_seal_open_1k: PacketSealer.seal + PacketOpener.open of a 1 KiB payload in place (nonce, AAD,
// replay window included) against the bare library call (sodium-native detached seal + open on preallocated
// views) and node:crypto's ChaCha20-Poly1305 (a cipher object per call).
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { compareNs, type BenchCase } from '../harness.js';
import { CryptoRandom } from '../../src/core/index.js';
import { PacketOpener, PacketSealer, aeadOpenInPlace, aeadSealInPlace, deriveSessionKeys } from '../../src/crypto/index.js';
import { HEADER_BYTES, PacketHeader, TAG_BYTES, encodeHeaderInto } from '../../src/wire/index.js';

const PAYLOAD = 1024;

const cases: BenchCase[] = [
  {
    name: 'crypto.packet_seal_open_1k',
    async run() {
      const h = new Uint8Array(32);
      new CryptoRandom().fill(h);
      const tx = deriveSessionKeys(h, 'initiator');
      const rx = deriveSessionKeys(h, 'responder');
      const sealer = new PacketSealer(tx, { rekeyAfterPackets: 2 ** 53 });
      const opener = new PacketOpener(rx);
      const packet = new Uint8Array(HEADER_BYTES + PAYLOAD + TAG_BYTES);
      encodeHeaderInto(PacketHeader.from({ sessionId: tx.sessionId, payloadLen: PAYLOAD }), packet, 0);

      const key = tx.txKey;
      const nonce = new Uint8Array(12);
      const aad = new Uint8Array(56);
      const data = new Uint8Array(PAYLOAD);
      const tag = new Uint8Array(TAG_BYTES);
      let ctr = 0;
      const library = (): boolean => {
        nonce[4] = ctr & 0xff;
        nonce[5] = (ctr++ >>> 8) & 0xff;
        aeadSealInPlace(key, nonce, aad, data, tag);
        return aeadOpenInPlace(key, nonce, aad, data, tag);
      };

      const nodeNonce = Buffer.alloc(12);
      const nodeData = Buffer.alloc(PAYLOAD);
      const nodeAad = Buffer.alloc(56);
      const nodeCrypto = (): void => {
        nodeNonce.writeUInt32LE(ctr++, 4);
        const c = createCipheriv('chacha20-poly1305', key, nodeNonce, { authTagLength: 16 });
        c.setAAD(nodeAad, { plaintextLength: PAYLOAD });
        const ct = c.update(nodeData);
        c.final();
        const t = c.getAuthTag();
        const d = createDecipheriv('chacha20-poly1305', key, nodeNonce, { authTagLength: 16 });
        d.setAAD(nodeAad, { plaintextLength: PAYLOAD });
        d.setAuthTag(t);
        d.update(ct);
        d.final();
      };
      const ns = await compareNs({
        ours: () => {
          sealer.seal(packet, 0, PAYLOAD);
          return opener.open(packet, 0, packet.length);
        },
        library,
        node_crypto: nodeCrypto,
      });
      return {
        value: ns.ours, unit: 'ns', baseline: { library: ns.library, node_crypto: ns.node_crypto },
        notes: `1 KiB payload, 1108 B packet; ${(ns.ours / ns.library).toFixed(2)}x library`,
      };
    },
  },
];
export default cases;
