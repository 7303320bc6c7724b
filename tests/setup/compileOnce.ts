import { buildAllContracts } from '../../wrappers/code';

/** Jest global setup: compile every contract once per run; test files then read build/. */
export default async function compileOnce(): Promise<void> {
    await buildAllContracts();
}
