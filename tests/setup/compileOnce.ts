import { buildAllContracts } from '../../scripts/tools/buildContracts';

/**
 * Jest global setup: compile every contract once per run; test files then read build/.
 * A contract that fails to compile is reported here and fails the suites that load it.
 */
export default async function compileOnce(): Promise<void> {
    const failed = await buildAllContracts();
    if (failed.length > 0) console.error(`\ncontracts that did not compile: ${failed.join(', ')} (see build/<Name>.error.txt)`);
}
