import forge from 'node-forge';

export interface TestCertificate {
  certPem: string;
  keyPem: string;
}

/**
 * A self-signed server certificate for loopback TLS tests, valid for localhost, 127.0.0.1 and the `.invalid` names
 * the proxy tests reach through a CONNECT proxy. Self-signed means untrusted until passed as an extra CA.
 */
export function createTestCertificate(dnsNames: string[] = ['localhost', 'tenant.invalid']): TestCertificate {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3_600_000);
  const subject = [{ name: 'commonName', value: dnsNames[0] ?? 'localhost' }, { name: 'organizationName', value: 'TEC test CA' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...dnsNames.map((value) => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}
