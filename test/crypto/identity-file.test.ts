// Identity files on real temporary files: exclusive create with mode 0600, atomic overwrite, ssh-style
// permission refusal, malformed content, injected I/O faults, and property tests of the content decoder.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ErrorCode, IdentityError, SeededRandom, fromHex, toHex } from '../../src/core/index.js';
import {
  IDENTITY_FILE_BYTES, IDENTITY_FILE_HEADER, Identity, decodeIdentityFile, encodeIdentityFile, loadIdentity,
  nodeIdentityFileIO, saveIdentity, type IdentityFileIO,
} from '../../src/crypto/index.js';

// Seeded and sized like the rest of the suite (test/support/fuzz.ts was not there yet when this was written).
const FUZZ = { seed: 0x5eed, numRuns: 10_000 };

const root = await mkdtemp(join(tmpdir(), 'net-mesh-identity-'));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(root, `id-${n++}`);

const isCode = (code: string) => (e: unknown): boolean => e instanceof IdentityError && e.code === code;
const isFileError = isCode(ErrorCode.IdentityFile);
const isPermError = isCode(ErrorCode.IdentityPermissions);
const SEED = fromHex('01'.repeat(32));

test('save then load round-trips; the file is 0600 and in the documented format', async () => {
  const id = Identity.generate(new SeededRandom(1));
  const path = freshPath();
  await saveIdentity(path, id);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const text = await readFile(path, 'utf8');
  assert.equal(text, `${IDENTITY_FILE_HEADER}${toHex(id.exportSeed())}\n`);
  assert.equal(text.length, IDENTITY_FILE_BYTES);
  const loaded = await loadIdentity(path);
  assert.equal(loaded.nodeId, id.nodeId);
  assert.deepEqual(loaded.publicKey, id.publicKey);
  assert.deepEqual(loaded.staticPublicKey, id.staticPublicKey);
});

test('the mode is 0600 whatever the umask', async () => {
  const old = process.umask(0);
  try {
    const path = freshPath();
    await saveIdentity(path, Identity.fromSeed(SEED));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  } finally {
    process.umask(old);
  }
});

test('an existing file is refused, and left untouched, unless overwrite is set', async () => {
  const path = freshPath();
  const a = Identity.fromSeed(SEED);
  const b = Identity.generate(new SeededRandom(2));
  await saveIdentity(path, a);
  const before = await readFile(path);
  await assert.rejects(saveIdentity(path, b), (e: unknown) => isFileError(e) && /already exists/.test((e as Error).message));
  assert.deepEqual(await readFile(path), before);
  await saveIdentity(path, b, { overwrite: true });
  assert.equal((await loadIdentity(path)).nodeId, b.nodeId);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  // No temporary file is left beside it.
  const dir = join(root, `dir-${n++}`);
  await mkdir(dir);
  await saveIdentity(join(dir, 'id'), a);
  await saveIdentity(join(dir, 'id'), b, { overwrite: true });
  assert.deepEqual(await readdir(dir), ['id']);
});

test('files readable or writable by group or others are refused with ERR_IDENTITY_PERMISSIONS', async () => {
  for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666, 0o610, 0o601]) {
    const path = freshPath();
    await saveIdentity(path, Identity.fromSeed(SEED));
    await chmod(path, mode);
    await assert.rejects(loadIdentity(path), (e: unknown) => isPermError(e) && /chmod 600/.test((e as Error).message), mode.toString(8));
  }
  // Owner-only modes other than 0600 are fine (ssh accepts 0400 too).
  const path = freshPath();
  await saveIdentity(path, Identity.fromSeed(SEED));
  await chmod(path, 0o400);
  assert.equal((await loadIdentity(path)).nodeId, Identity.fromSeed(SEED).nodeId);
});

test('malformed content is refused with ERR_IDENTITY_FILE', async () => {
  const good = encodeIdentityFile(SEED);
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['truncated', good.subarray(0, good.length - 10)],
    ['header only', good.subarray(0, IDENTITY_FILE_HEADER.length)],
    ['raw 32-byte seed', SEED],
    ['garbage', new Uint8Array(IDENTITY_FILE_BYTES).fill(0x41)],
    ['trailing byte', new Uint8Array([...good, 0x0a])],
    ['CRLF', Buffer.from(`${IDENTITY_FILE_HEADER.trim()}\r\n${'01'.repeat(32)}\n`)],
    ['wrong version', Buffer.from(`net-mesh-identity-v2\n${'01'.repeat(32)}\n`)],
    ['non-hex digit', Buffer.from(`${IDENTITY_FILE_HEADER}${'01'.repeat(31)}0g\n`)],
    ['final byte not newline', Buffer.from(`${IDENTITY_FILE_HEADER}${'01'.repeat(32)} `)],
    ['too large', new Uint8Array(100_000)],
  ];
  for (const [name, content] of cases) {
    const path = freshPath();
    await writeFile(path, content, { mode: 0o600 });
    await assert.rejects(loadIdentity(path), isFileError, name);
  }
  // A missing final newline and uppercase hex are accepted.
  const path = freshPath();
  await writeFile(path, `${IDENTITY_FILE_HEADER}${'AB'.repeat(32)}`, { mode: 0o600 });
  assert.equal((await loadIdentity(path)).nodeId, Identity.fromSeed(fromHex('ab'.repeat(32))).nodeId);
});

test('missing files and directories are refused with ERR_IDENTITY_FILE', async () => {
  await assert.rejects(loadIdentity(join(root, 'does-not-exist')), (e: unknown) => isFileError(e) && /ENOENT/.test((e as Error).message));
  const dir = join(root, `d-${n++}`);
  await mkdir(dir, { mode: 0o700 });
  await assert.rejects(loadIdentity(dir), isFileError);
  await assert.rejects(saveIdentity(join(root, 'no-such-dir', 'id'), Identity.fromSeed(SEED)), isFileError);
});

/** node:fs with one operation made to fail, as a fault-injection layer would. */
function faulty(fail: 'writeFile' | 'sync' | 'rename' | 'chmod'): IdentityFileIO {
  const boom = (): Promise<never> => Promise.reject(Object.assign(new Error('injected'), { code: 'ENOSPC' }));
  return {
    async open(path, flags, mode) {
      const h = await nodeIdentityFileIO.open(path, flags, mode);
      if (flags !== 'wx') return h;
      return {
        stat: () => h.stat(),
        read: (b, o, l, p) => h.read(b, o, l, p),
        writeFile: (d) => (fail === 'writeFile' ? boom() : h.writeFile(d)),
        chmod: (m) => (fail === 'chmod' ? boom() : h.chmod(m)),
        sync: () => (fail === 'sync' ? boom() : h.sync()),
        close: () => h.close(),
      };
    },
    rename: (a, b) => (fail === 'rename' ? boom() : nodeIdentityFileIO.rename(a, b)),
    unlink: (p) => nodeIdentityFileIO.unlink(p),
  };
}

test('an I/O failure while writing leaves no file behind, and never a torn one', async () => {
  for (const fail of ['writeFile', 'sync', 'chmod'] as const) {
    const dir = join(root, `f-${n++}`);
    await mkdir(dir);
    await assert.rejects(saveIdentity(join(dir, 'id'), Identity.fromSeed(SEED), { io: faulty(fail) }), (e: unknown) => isFileError(e) && /ENOSPC/.test((e as Error).message), fail);
    assert.deepEqual(await readdir(dir), [], fail);
  }
  // A failed overwrite keeps the old identity and removes its temporary file.
  for (const fail of ['writeFile', 'sync', 'rename'] as const) {
    const dir = join(root, `f-${n++}`);
    await mkdir(dir);
    const path = join(dir, 'id');
    const old = Identity.fromSeed(SEED);
    await saveIdentity(path, old);
    await assert.rejects(saveIdentity(path, Identity.generate(), { overwrite: true, io: faulty(fail) }), isFileError, fail);
    assert.deepEqual(await readdir(dir), ['id'], fail);
    assert.equal((await loadIdentity(path)).nodeId, old.nodeId, fail);
  }
});

test('property: encode/decode round-trips every seed', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
      const content = encodeIdentityFile(seed);
      assert.equal(content.length, IDENTITY_FILE_BYTES);
      assert.deepEqual(decodeIdentityFile(content), seed);
      assert.deepEqual(decodeIdentityFile(content.subarray(0, content.length - 1)), seed);
    }),
    FUZZ,
  );
});

test('property: the decoder returns a 32-byte seed or throws ERR_IDENTITY_FILE, for any bytes', () => {
  const check = (bytes: Uint8Array): void => {
    let seed: Uint8Array | undefined;
    try {
      seed = decodeIdentityFile(bytes);
    } catch (e) {
      assert.ok(isFileError(e), String(e));
      return;
    }
    assert.equal(seed.length, 32);
    // Whatever it accepts re-encodes to the same bytes up to hex case and the optional final newline.
    const again = Buffer.from(encodeIdentityFile(seed)).toString('latin1');
    const given = Buffer.from(bytes).toString('latin1');
    assert.equal(again.slice(0, given.length).toLowerCase(), given.toLowerCase());
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), FUZZ);
  // Mutations of a valid file: flip, drop or insert one byte.
  const good = encodeIdentityFile(SEED);
  const mutated = fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'drop', 'insert')).map(([i, b, op]) => {
    const arr = [...good];
    if (op === 'set') arr[i] = b;
    else if (op === 'drop') arr.splice(i, 1);
    else arr.splice(i, 0, b);
    return Uint8Array.from(arr);
  });
  fc.assert(fc.property(mutated, check), FUZZ);
});

test('encode refuses seeds that are not 32 bytes', () => {
  assert.throws(() => encodeIdentityFile(new Uint8Array(31)), isFileError);
});

test('an aborted signal stops save and load with ERR_ABORTED and writes nothing', async () => {
  const dir = join(root, `a-${n++}`);
  await mkdir(dir);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(saveIdentity(join(dir, 'id'), Identity.fromSeed(SEED), { signal: ac.signal }), { code: 'ERR_ABORTED' });
  assert.deepEqual(await readdir(dir), []);
  await saveIdentity(join(dir, 'id'), Identity.fromSeed(SEED));
  await assert.rejects(loadIdentity(join(dir, 'id'), { signal: ac.signal }), { code: 'ERR_ABORTED' });
});
