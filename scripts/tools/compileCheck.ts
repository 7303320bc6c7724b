/**
 * Compiles the named contracts and prints their size or the compiler's error, without touching build/.
 * Usage: npx ts-node --transpile-only scripts/tools/compileCheck.ts Root Worker
 */
import { compile } from '@ton/blueprint';

async function main(names: string[]): Promise<void> {
    for (const name of names) {
        try {
            const code = await compile(name);
            console.log(`${name}: ok, ${code.toBoc().length} bytes, hash ${code.hash().toString('hex')}`);
        } catch (e) {
            console.log(`${name}: FAILED\n${e instanceof Error ? e.message : String(e)}`);
            process.exitCode = 1;
        }
    }
}

void main(process.argv.slice(2));
