import type { Config } from 'jest';

const config: Config = {
    testEnvironment: 'node',
    // Contracts are compiled once per run (not once per test file) and read from build/.
    globalSetup: '<rootDir>/tests/setup/compileOnce.ts',
    transform: {
        '^.+\\.tsx?$': 'ts-jest',
        // JavaScript that Jest must load as CommonJS: the @hpke packages (below) are down-compiled with it.
        '^.+\\.m?jsx?$': ['ts-jest', { tsconfig: { allowJs: true, target: 'ES2022', module: 'commonjs' } }],
    },
    transformIgnorePatterns: ['/node_modules/(?!(@hpke)/)'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/', '/build/'],
    testMatch: ['<rootDir>/tests/**/*.spec.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
};

export default config;
