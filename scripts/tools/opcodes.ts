/**
 * The op code of every message constructor in contracts/protocol.tlb, derived the way the TL-B tooling derives
 * a constructor's tag: CRC32 (IEEE) of the constructor with its tag removed, parentheses dropped and white space
 * folded, with the top bit cleared. Every message constructor writes that tag explicitly (`name#0a1b2c3d ...`);
 * tests/contracts/Constants.spec.ts checks the written tag, this derivation, contracts/op-codes.fc and
 * wrappers/Constants.ts agree. Run after adding a message: `npx ts-node scripts/tools/opcodes.ts` prints the
 * tag each constructor must carry.
 */
import { readFileSync } from 'fs';
import { crc32 } from 'zlib';
import path from 'path';

export interface OpCode {
    name: string;
    /** The tag derived from the constructor's text. */
    value: number;
    /** The tag written in the file (`#` followed by 8 hex digits). */
    written: number;
}

/**
 * 32-bit tags that are not derived from our constructors: the TEP-74 excesses message, and the ASCII tags of the
 * signed off-chain payloads ("vchr", "rcpt").
 */
export const FOREIGN_TAGS: ReadonlySet<string> = new Set(['excesses', 'voucher', 'receipt']);

/** The constructor's text the tag is derived from: tag removed, parentheses dropped, white space folded. */
export function canonicalConstructor(name: string, rest: string): string {
    return `${name} ${rest}`.replace(/[()]/g, '').replace(/\s+/g, ' ').trim();
}

export function tagOf(name: string, rest: string): number {
    return (crc32(Buffer.from(canonicalConstructor(name, rest))) & 0x7fffffff) >>> 0;
}

/** Every constructor with a 32-bit tag, except FOREIGN_TAGS. */
export function opcodesFromTlb(tlbText: string): OpCode[] {
    const withoutComments = tlbText
        .split('\n')
        .map((line) => line.replace(/\/\/.*$/, ''))
        .join(' ');
    const constructors = withoutComments.split(';').map((c) => c.replace(/\s+/g, ' ').trim());
    const out: OpCode[] = [];
    for (const c of constructors) {
        const m = /^([a-z_0-9]+)#([0-9a-f]{8}) (.*)$/.exec(c);
        if (!m || FOREIGN_TAGS.has(m[1])) continue;
        out.push({ name: m[1], value: tagOf(m[1], m[3]), written: parseInt(m[2], 16) });
    }
    return out;
}

if (require.main === module) {
    const tlb = readFileSync(path.join(__dirname, '..', '..', 'contracts', 'protocol.tlb'), 'utf8');
    for (const op of opcodesFromTlb(tlb)) {
        const mark = op.value === op.written ? '' : `  (written 0x${op.written.toString(16).padStart(8, '0')})`;
        console.log(`${op.name.padEnd(24)} 0x${op.value.toString(16).padStart(8, '0')}${mark}`);
    }
}
