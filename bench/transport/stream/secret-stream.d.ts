// @hyperswarm/secret-stream ships no types; the benchmark uses only its constructor and the Duplex it returns.
declare module '@hyperswarm/secret-stream' {
  import type { Duplex } from 'node:stream';
  const NoiseSecretStream: new (isInitiator: boolean, rawStream: Duplex) => Duplex;
  export default NoiseSecretStream;
}
