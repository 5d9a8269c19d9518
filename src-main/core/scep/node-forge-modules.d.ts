/**
 * Types for the node-forge sub-modules the SCEP code loads directly. Each sub-module's export is one namespace of
 * the `forge` object (lib/asn1 → forge.asn1, lib/util → forge.util, lib/des → forge.des). Loading the package index
 * pulls every cipher, TLS and PKI module (~32 ms of start-up, measured on Node 20); ASN.1 alone loads in ~5 ms, and
 * the `tec scep` commands are timed against Debian's Go scepclient.
 */
declare module 'node-forge/lib/asn1' {
  import type * as forge from 'node-forge';
  const asn1: typeof forge.asn1;
  export default asn1;
}

declare module 'node-forge/lib/util' {
  import type * as forge from 'node-forge';
  const util: typeof forge.util;
  export default util;
}

declare module 'node-forge/lib/des' {
  import type * as forge from 'node-forge';
  const des: {
    /** DES (8-byte key) or Triple DES (24-byte key); mode defaults to CBC. `start(iv)` takes the IV directly. */
    createDecryptionCipher(
      key: string | forge.util.ByteBuffer,
      mode?: string,
    ): Omit<forge.cipher.BlockCipher, 'start'> & { start(iv: string | forge.util.ByteBuffer): void };
  };
  export default des;
}
