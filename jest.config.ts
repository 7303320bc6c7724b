import type { Config } from 'jest';

const config: Config = {
    testEnvironment: 'node',
    // Contracts are compiled once per run (not once per test file) and read from build/.
    globalSetup: '<rootDir>/tests/setup/compileOnce.ts',
    transform: {
        '^.+\\.tsx?$': 'ts-jest',
        // noble v2 and a few crypto packages ship ESM only: down-compile them to CommonJS.
        '^.+\\.m?jsx?$': ['ts-jest', { tsconfig: { allowJs: true, target: 'ES2022', module: 'commonjs' } }],
    },
    transformIgnorePatterns: ['/node_modules/(?!(@noble|@hpke)/)'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/', '/build/'],
    testMatch: ['<rootDir>/tests/**/*.spec.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
};

export default config;
