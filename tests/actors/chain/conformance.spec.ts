/**
 * The chain layer's conformance suite against each implementation: embedded (in-process sandbox), HTTP over
 * the local chain server (in-process, random 127.0.0.1 port), HTTP with the TonAPI index (traces and cursors
 * through @ton-api/client against the server's TonAPI routes, no fallback to polling), and testnet when
 * TON_TESTNET_ENDPOINT is set.
 */
// Local chain servers start in seconds on an idle machine, much slower on a loaded one: hooks get room.
jest.setTimeout(240_000);

import { Blockchain } from '@ton/sandbox';
import { HttpBackend, HttpChain, IndexedChain, TonApiIndex } from '../../../actors/chain';
import { EmbeddedChain, LocalChain, startLocalnet } from '../../../actors/chain/dev';
import { conformanceSuite } from './conformance';

conformanceSuite('embedded', async () => {
    const local = new LocalChain(await Blockchain.create(), 'manual');
    const mnemonics = [];
    for (let i = 0; i < 3; i++) mnemonics.push((await local.fundedWallet(10_000_000_000_000n)).mnemonic);
    const chain = new EmbeddedChain(local);
    return { chain, mnemonics, advance: async (s) => void chain.advance(s), teardown: async () => undefined };
});

conformanceSuite('HTTP over the local chain server', async () => {
    const net = await startLocalnet({ deploy: false, wallets: 3 });
    const chain = new HttpChain({ endpoint: net.endpoint }, { pollMs: { first: 20, max: 200 } });
    return {
        chain,
        mnemonics: net.wallets.map((w) => w.mnemonic),
        advance: async (seconds) => {
            const r = await fetch(`${net.url}/dev/advance`, { method: 'POST', body: JSON.stringify({ seconds }) });
            if (!r.ok) throw new Error(`advance: HTTP ${r.status}`);
        },
        teardown: () => net.stop(),
    };
});

let indexed: IndexedChain | undefined;
conformanceSuite('HTTP with the TonAPI index over the local chain server', async () => {
    const net = await startLocalnet({ deploy: false, wallets: 3 });
    // No fallback: every trace and cursor must come through the index, or the suite fails.
    const chain = new IndexedChain(new HttpBackend({ endpoint: net.endpoint }), new TonApiIndex({ endpoint: net.url }), { pollMs: { first: 20, max: 200 }, fallback: false });
    indexed = chain;
    return {
        chain,
        mnemonics: net.wallets.map((w) => w.mnemonic),
        advance: async (seconds) => {
            const r = await fetch(`${net.url}/dev/advance`, { method: 'POST', body: JSON.stringify({ seconds }) });
            if (!r.ok) throw new Error(`advance: HTTP ${r.status}`);
        },
        teardown: () => net.stop(),
    };
});

describe('Chain conformance: the indexed implementation used its index', () => {
    it('answered every trace and cursor of the suite through TonAPI routes, never by polling', () => {
        expect(indexed).toBeDefined();
        expect(indexed!.usage.fellBack).toBe(0);
        expect(indexed!.usage.indexed).toBeGreaterThanOrEqual(15);
    });
});

const testnet = process.env.TON_TESTNET_ENDPOINT;
const testnetMnemonics = (process.env.TON_TESTNET_MNEMONICS ?? '').split(';').map((m) => m.trim().split(/\s+/)).filter((m) => m.length === 24);
if (testnet && testnetMnemonics.length >= 3) {
    conformanceSuite('testnet', async () => ({
        chain: new HttpChain({ endpoint: testnet, apiKey: process.env.TON_TESTNET_API_KEY }),
        mnemonics: testnetMnemonics,
        teardown: async () => undefined,
    }));
} else {
    describe.skip('Chain conformance: testnet', () => {
        it('needs TON_TESTNET_ENDPOINT and TON_TESTNET_MNEMONICS (three funded W5 mnemonics separated by ";")', () => undefined);
    });
    console.log('Chain conformance on testnet skipped: set TON_TESTNET_ENDPOINT (and TON_TESTNET_MNEMONICS, TON_TESTNET_API_KEY) to run it');
}
