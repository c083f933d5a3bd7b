// The primitive choices of docs/decisions.md, re-measured: ChaCha20-Poly1305 seal+open of 64 B (sodium-native
// vs node:crypto vs @noble/ciphers) and BLAKE2s of 64 B (hash-wasm vs node:crypto vs @noble/hashes).
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { blake2s as nobleBlake2s } from '@noble/hashes/blake2.js';
import { compareNs, type BenchCase } from '../harness.js';
import { aeadOpenInPlace, aeadSealInPlace, blake2s } from '../../src/crypto/index.js';

const key = new Uint8Array(32).fill(7);
const msg = new Uint8Array(64).fill(1);

const cases: BenchCase[] = [
  {
    name: 'crypto.aead_64',
    async run() {
      const nonce = new Uint8Array(12);
      const data = msg.slice();
      const tag = new Uint8Array(16);
      let ctr = 0;
      const sodium = (): boolean => {
        nonce[4] = ctr++ & 0xff;
        aeadSealInPlace(key, nonce, null, data, tag);
        return aeadOpenInPlace(key, nonce, null, data, tag);
      };
      const nodeNonce = Buffer.alloc(12);
      const nodeCrypto = (): void => {
        nodeNonce.writeUInt32LE(ctr++, 4);
        const c = createCipheriv('chacha20-poly1305', key, nodeNonce, { authTagLength: 16 });
        const ct = c.update(msg);
        c.final();
        const d = createDecipheriv('chacha20-poly1305', key, nodeNonce, { authTagLength: 16 });
        d.setAuthTag(c.getAuthTag());
        d.update(ct);
        d.final();
      };
      const noble = (): Uint8Array => {
        nonce[4] = ctr++ & 0xff;
        const sealed = chacha20poly1305(key, nonce).encrypt(msg);
        return chacha20poly1305(key, nonce).decrypt(sealed);
      };
      const ns = await compareNs({ sodium, node_crypto: nodeCrypto, noble });
      return { value: ns.sodium, unit: 'ns', baseline: { node_crypto: ns.node_crypto, noble: ns.noble }, notes: 'seal+open, 64 B, sodium-native' };
    },
  },
  {
    name: 'crypto.blake2s_64',
    async run() {
      const ns = await compareNs({
        hash_wasm: () => blake2s(msg),
        node_crypto: () => createHash('blake2s256').update(msg).digest(),
        noble: () => nobleBlake2s(msg),
      });
      return { value: ns.hash_wasm, unit: 'ns', baseline: { node_crypto: ns.node_crypto, noble: ns.noble }, notes: '64 B, hash-wasm' };
    },
  },
];
export default cases;
