import { connect, type SecureVersion } from 'node:tls';
import t from 'tap';
import { startTestServer } from './harness.js';

function handshake(port: number, ca: string, maxVersion: SecureVersion, minVersion: SecureVersion): Promise<string | null> {
  return new Promise((resolve) => {
    // SECLEVEL=0 lets this client offer old versions, so a refusal is the server's doing.
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', minVersion, maxVersion, ciphers: 'DEFAULT@SECLEVEL=0' }, () => {
      const protocol = socket.getProtocol();
      socket.end();
      resolve(protocol);
    });
    socket.on('error', () => resolve(null));
  });
}

t.test('TLS 1.2 is the minimum; 1.2 and 1.3 are accepted', async (t) => {
  const server = await startTestServer(t);
  t.strictSame(await handshake(server.handle.port, server.ca, 'TLSv1.3', 'TLSv1.3'), 'TLSv1.3');
  t.strictSame(await handshake(server.handle.port, server.ca, 'TLSv1.2', 'TLSv1.2'), 'TLSv1.2');
  t.strictSame(await handshake(server.handle.port, server.ca, 'TLSv1.1', 'TLSv1'), null, 'TLS 1.1 is refused');
});
