/**
 * Prints the op code of every message constructor in contracts/protocol.tlb whose tag is `#_`:
 * CRC32 (IEEE) of the constructor with its tag removed and white space folded, the way the TL-B
 * tooling derives implicit tags. Run after adding a message, then copy the values into
 * contracts/op-codes.fc and wrappers/Constants.ts; tests/contracts/Constants.spec.ts checks they agree.
 */
import { readFileSync } from 'fs';
import { crc32 } from 'zlib';
import path from 'path';

export interface OpCode {
    name: string;
    value: number;
}

export function opcodesFromTlb(tlbText: string): OpCode[] {
    const withoutComments = tlbText
        .split('\n')
        .map((line) => line.replace(/\/\/.*$/, ''))
        .join(' ');
    const constructors = withoutComments.split(';').map((c) => c.replace(/\s+/g, ' ').trim());
    const out: OpCode[] = [];
    for (const c of constructors) {
        const m = /^([a-z_0-9]+)#_ (.*)$/.exec(c);
        if (!m) continue;
        const canonical = `${m[1]} ${m[2]}`;
        out.push({ name: m[1], value: crc32(Buffer.from(canonical)) >>> 0 });
    }
    return out;
}

if (require.main === module) {
    const tlb = readFileSync(path.join(__dirname, '..', '..', 'contracts', 'protocol.tlb'), 'utf8');
    for (const op of opcodesFromTlb(tlb)) {
        console.log(`${op.name.padEnd(24)} 0x${op.value.toString(16).padStart(8, '0')}`);
    }
}
