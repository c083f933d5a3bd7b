// crypto.handshakes: complete Noise NKpsk0 handshakes per second, both sides in one thread (keygen, msg1, msg2,
// session keys), against the floor set by the X25519 work alone (2 keygens + 4 DH on sodium-native).
import { compareOpsPerSecond, type BenchCase } from '../harness.js';
import { CryptoRandom } from '../../src/core/index.js';
import {
  Identity, NoiseInitiator, NoiseResponder, deriveSessionKeys, netPrologue, prepareNoisePsk, x25519, x25519PublicKey,
} from '../../src/crypto/index.js';

const cases: BenchCase[] = [
  {
    name: 'crypto.handshakes',
    async run() {
      const random = new CryptoRandom();
      const a = Identity.generate(random);
      const b = Identity.generate(random);
      const raw = new Uint8Array(32);
      random.fill(raw);
      const psk = prepareNoisePsk(raw);
      const prologue = netPrologue(a.routingId, b.routingId);
      const responderStatic = b.staticPublicKey;
      const staticPrivateKey = b.staticPrivateKey;
      const ours = (): void => {
        const i = new NoiseInitiator({ random }, { psk, prologue, responderStatic });
        const r = new NoiseResponder({ random }, { psk, prologue, staticPrivateKey, staticPublicKey: responderStatic });
        r.readMessage1(i.writeMessage1(), 0);
        i.readMessage2(r.writeMessage2());
        const ki = deriveSessionKeys(i.handshakeHash, 'initiator');
        const kr = deriveSessionKeys(r.handshakeHash, 'responder');
        ki.dispose();
        kr.dispose();
      };
      const e1 = new Uint8Array(32);
      const e2 = new Uint8Array(32);
      const dhFloor = (): void => {
        random.fill(e1);
        random.fill(e2);
        const p1 = x25519PublicKey(e1);
        const p2 = x25519PublicKey(e2);
        x25519(e1, responderStatic);
        x25519(staticPrivateKey, p1);
        x25519(e2, p1);
        x25519(e1, p2);
      };
      const rate = await compareOpsPerSecond({ ours, x25519_floor: dhFloor });
      return { value: rate.ours, unit: 'per_s', baseline: { x25519_floor: rate.x25519_floor }, notes: 'both sides, one thread, prepared PSK' };
    },
  },
];
export default cases;
