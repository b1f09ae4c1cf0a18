import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { writeServingFiles } from '../../src/cert-controller/serving-files.js';

async function dir(t: Test): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'fsi-serving-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

t.test('writes key and certificate (creating the folder), key 0600, no temp files left', async (t) => {
  const d = join(await dir(t), 'nested');
  const files = { certFile: join(d, 'tls.crt'), keyFile: join(d, 'tls.key') };
  t.same(await writeServingFiles(files, { cert: 'CERT', key: 'KEY' }), { ok: true, value: true });
  t.equal(await readFile(files.certFile, 'utf8'), 'CERT');
  t.equal(await readFile(files.keyFile, 'utf8'), 'KEY');
  t.equal((await stat(files.keyFile)).mode & 0o777, 0o600);
  t.same((await readdir(d)).sort(), ['tls.crt', 'tls.key']);
});

t.test('same content: nothing written (no reload triggered)', async (t) => {
  const d = await dir(t);
  const files = { certFile: join(d, 'tls.crt'), keyFile: join(d, 'tls.key') };
  await writeServingFiles(files, { cert: 'CERT', key: 'KEY' });
  const before = await stat(files.certFile);
  t.same(await writeServingFiles(files, { cert: 'CERT', key: 'KEY' }), { ok: true, value: false });
  t.equal((await stat(files.certFile)).ino, before.ino, 'not replaced');
});

t.test('new content replaces the files by rename (new inode), so readers never see half a file', async (t) => {
  const d = await dir(t);
  const files = { certFile: join(d, 'tls.crt'), keyFile: join(d, 'tls.key') };
  await writeFile(files.certFile, 'OLD');
  await writeFile(files.keyFile, 'OLDKEY');
  const before = await stat(files.certFile);
  t.same(await writeServingFiles(files, { cert: 'NEW', key: 'NEWKEY' }), { ok: true, value: true });
  t.not((await stat(files.certFile)).ino, before.ino);
  t.equal(await readFile(files.certFile, 'utf8'), 'NEW');
});

t.test('unwritable location: an error naming tls.certFile/keyFile and the emptyDir fix', async (t) => {
  const d = await dir(t);
  await writeFile(join(d, 'file'), 'x');
  const result = await writeServingFiles({ certFile: join(d, 'file', 'tls.crt'), keyFile: join(d, 'file', 'tls.key') }, { cert: 'C', key: 'K' });
  if (result.ok) throw new Error('expected an error');
  t.equal(result.error.code, 'CERT_FILES_WRITE_FAILED');
  t.match(result.error.message, /tls\.certFile .*tls\.keyFile .*emptyDir/);
});
