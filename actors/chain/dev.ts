/**
 * Dev-only entry of the chain layer: the embedded @ton/sandbox implementation and the local chain server.
 * Production code imports ./index; only tests, the demo and `npm run localnet` import this.
 */
export { EmbeddedChain } from './dev/embedded';
export { LocalChain, withGlobalId, type FundedWallet, type ClockMode } from './dev/localChain';
export { startLocalnet, type Localnet, type LocalnetOptions } from './dev/localnet/localnet';
export { LocalnetServer } from './dev/localnet/server';
