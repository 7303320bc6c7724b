/** Code variants for governance tests: a working contract whose code hash differs from the compiled one. */
import { beginCell, Cell } from '@ton/core';

/**
 * `code` with `n` NOP instructions (opcode 0x00) in front of its root cell: it behaves exactly like `code`
 * but has another hash, as a new code version would (a job or worker code change in a test).
 */
export function codeVariant(code: Cell, n: number): Cell {
    if (code.isExotic) throw new Error('codeVariant takes ordinary code, not a library cell');
    const b = beginCell();
    for (let i = 0; i < n; i++) b.storeUint(0, 8);
    return b.storeSlice(code.beginParse()).endCell();
}
