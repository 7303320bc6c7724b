/**
 * Public library cells. The job escrow's code is published once as a masterchain library and every job is
 * deployed with a library cell in place of its code: 40 bytes instead of ~2 KB in every open_job message and in
 * every worker's parameter snapshot (see docs/protocol.md §9.8). TVM resolves the library when the job runs.
 */
import { beginCell, Cell, Dictionary } from '@ton/core';

/** The exotic library cell (type 2) that stands for `code`: 8-bit tag and the code's 256-bit hash. */
export function libraryCell(code: Cell): Cell {
    const b = beginCell().storeUint(2, 8).storeBuffer(code.hash()).endCell();
    return new Cell({ exotic: true, bits: b.bits, refs: [] });
}

/** The masterchain's public libraries as the sandbox takes them: code hash → code. */
export function publicLibraries(codes: Cell[]): Cell {
    const d = Dictionary.empty(Dictionary.Keys.Buffer(32), Dictionary.Values.Cell());
    for (const c of codes) d.set(c.hash(), c);
    return beginCell().storeDictDirect(d).endCell();
}
