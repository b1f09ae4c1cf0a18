// RSA key generation. node-forge's pure-JS keygen takes seconds for 2048 bits; OpenSSL through
// node:crypto takes milliseconds, so keys are made there and handed to forge only for signing.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export const RSA_BITS = 2048;

export interface RsaKeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  /** The private key as PKCS#1 PEM, exactly as OpenSSL wrote it. */
  privateKeyPem: string;
}

export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey: privateKeyPem } = generateKeyPairSync('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  return { privateKey, publicKey, privateKeyPem };
}
