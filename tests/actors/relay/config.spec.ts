/**
 * `relay start` flags to the relay's config (actors/relay/config.ts): every setting the relay runs with can be
 * set from its command line, defaults apply when a flag is absent, and a bad value is one clear error line.
 */
import { configFromFlags } from '../../../actors/relay/config';

const MNEMONIC = Array.from({ length: 24 }, (_, i) => `word${i}`).join(' ');
const ROOT = '0:' + '12'.repeat(32);
const env = { RELAY_MNEMONIC: MNEMONIC } as NodeJS.ProcessEnv;
const base = { root: ROOT, maxPrices: '1000,250,2000,2000' };

describe('relay config from flags', () => {
    it('defaults: 300 s request timeout, 16 MiB answers, jobs closed after 60 idle minutes, a 60 s maintenance pass', () => {
        const c = configFromFlags(base, env);
        expect(c.requestTimeoutMs).toBe(300_000);
        expect(c.maxAnswerBytes).toBe(16 << 20);
        expect(c.idleCloseMinutes).toBe(60);
        expect(c.refusedOpenCooldownSeconds).toBe(60);
        expect(c.refreshSeconds).toBe(60);
        expect(c.root).toBe(ROOT);
    });

    it('each of them is set by its flag', () => {
        const c = configFromFlags({ ...base, requestTimeoutMs: '8000', maxAnswerBytes: '65536', idleCloseMinutes: '5', refreshSeconds: '10', bodyTimeoutMs: '2000', slowReaderTimeoutMs: '1500', refusedOpenCooldownSeconds: '5' }, env);
        expect(c).toMatchObject({ requestTimeoutMs: 8000, maxAnswerBytes: 65536, idleCloseMinutes: 5, refreshSeconds: 10, bodyTimeoutMs: 2000, slowReaderTimeoutMs: 1500, refusedOpenCooldownSeconds: 5 });
    });

    it('a bad value is refused with the field named', () => {
        expect(() => configFromFlags({ ...base, requestTimeoutMs: '0' }, env)).toThrow(/^requestTimeoutMs: /);
        expect(() => configFromFlags({ ...base, refreshSeconds: 'soon' }, env)).toThrow(/^refreshSeconds: /);
        expect(() => configFromFlags({ ...base, maxAnswerBytes: '-1' }, env)).toThrow(/^maxAnswerBytes: /);
    });

    it('the root comes from RELAY_ROOT when the flag is absent, and the wallet only from the environment or a file', () => {
        expect(configFromFlags({ maxPrices: base.maxPrices }, { ...env, RELAY_ROOT: ROOT }).root).toBe(ROOT);
        expect(() => configFromFlags(base, {})).toThrow(/RELAY_MNEMONIC/);
    });
});
