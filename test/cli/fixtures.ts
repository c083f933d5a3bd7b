// Shared setup for config tests: a directory with an identity (0600), a PSK file (0600) and a peer identity.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeededRandom, toHex } from '../../src/core/index.js';
import { Identity, saveIdentity } from '../../src/crypto/index.js';

export interface ConfigFixture {
  dir: string;
  identity: Identity;
  peer: Identity;
  peer2: Identity;
  /** A valid config text, with `psk_file` and `identity` relative to `dir`. */
  valid: string;
}

export async function makeConfigFixture(dir: string): Promise<ConfigFixture> {
  const identity = Identity.generate(new SeededRandom(11));
  const peer = Identity.generate(new SeededRandom(12));
  const peer2 = Identity.generate(new SeededRandom(13));
  await saveIdentity(join(dir, 'id'), identity);
  await writeFile(join(dir, 'mesh.psk'), `${'5a'.repeat(32)}\n`, { mode: 0o600 });
  const valid = `# a node
[node]
bind = "127.0.0.1:9000"
identity = "id"
psk_file = "mesh.psk"

[[peers]]
address = "127.0.0.1:9001"
static_key = "${toHex(peer.staticPublicKey)}"
node_id = "${hexId(peer)}"

[[peers]]
address = "[::1]:9002"
static_key = "${toHex(peer2.staticPublicKey).toUpperCase()}"
node_id = "${hexId(peer2)}"
`;
  return { dir, identity, peer, peer2, valid };
}

export function hexId(id: Identity): string {
  return id.nodeId.toString(16).padStart(16, '0');
}
