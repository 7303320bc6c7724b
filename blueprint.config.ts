import { Config } from '@ton/blueprint';
import { noTerminalHelp, wouldPromptWithoutTerminal } from './scripts/lib/catalog';

// Without a terminal Blueprint prints its first question and exits silently; say instead what to type.
if (!process.stdin.isTTY && wouldPromptWithoutTerminal(process.argv)) {
    process.stderr.write(noTerminalHelp() + '\n');
    process.exit(2);
}

export const config: Config = {};
