/**
 * contracts/protocol.tlb is a machine-readable spec: it parses with a TL-B parser, every message constructor
 * carries its 32-bit tag (no implicit `#_`), the tag is the CRC32 the TL-B tooling derives, and every type a
 * field names is one the file declares, a builtin or a standard type of block.tlb.
 */
import { readFileSync } from 'fs';
import path from 'path';
import { ast, Constructor, Declaration, NodeVisitor, ASTRootBase } from '@ton-community/tlb-parser';
import { opcodesFromTlb } from '../../scripts/tools/opcodes';

const tlb = readFileSync(path.join(__dirname, '..', '..', 'contracts', 'protocol.tlb'), 'utf8');

/** Result types of messages: every constructor of these must carry a 32-bit tag. */
const MESSAGE_TYPE = /(Msg|Reply|External|Excesses)$/;
/** Types of block.tlb (and the TL-B builtins) the file uses without declaring them. */
const STANDARD = new Set(['#', 'Cell', 'Any', 'Bit', 'Bool', 'True', 'Coins', 'MsgAddress', 'MsgAddressInt', 'HashmapE', 'Maybe', 'Either']);
const BUILTIN_SIZED = /^(u?int|bits)\d+$/;
/** Builtins that need an argument: `bits` alone (e.g. `bytes:bits`) is not TL-B, `(bits n)` is. */
const BUILTIN_WITH_ARG = new Set(['bits', 'uint', 'int', '##', '#<', '#<=']);

interface Named {
    name: string;
    args?: unknown[];
}

/** Every type name a declaration's fields refer to, with whether it was given arguments. */
class TypeNames extends NodeVisitor {
    readonly found: Array<{ name: string; withArgs: boolean }> = [];
    override genericVisit(node: ASTRootBase): void {
        const n = node as unknown as Named & { constructor: { name: string } };
        if (n.constructor.name === 'NameExpr' || n.constructor.name === 'CombinatorExpr') {
            this.found.push({ name: n.name, withArgs: Array.isArray(n.args) && n.args.length > 0 });
        }
        return super.genericVisit(node);
    }
}

describe('protocol.tlb', () => {
    const program = ast(tlb);
    const declarations: Declaration[] = program.declarations;
    const tagOf = (c: Constructor) => c.tag ?? '';

    it('parses with the TL-B parser', () => {
        expect(declarations.length).toBeGreaterThan(80);
    });

    it('writes the tag of every message constructor, and never an implicit one', () => {
        const messages = declarations.filter((d) => MESSAGE_TYPE.test(d.combinator.name));
        expect(messages.length).toBeGreaterThan(45);
        for (const d of messages) {
            expect([d.constructorDef.name, tagOf(d.constructorDef)]).toEqual([d.constructorDef.name, expect.stringMatching(/^#[0-9a-f]{8}$/)]);
        }
        for (const d of declarations) expect([d.constructorDef.name, tagOf(d.constructorDef)]).not.toEqual([d.constructorDef.name, '#_']);
    });

    it('derives every written tag with the TL-B CRC32 (top bit clear)', () => {
        const ops = opcodesFromTlb(tlb);
        expect(ops.length).toBeGreaterThan(45);
        for (const op of ops) {
            expect([op.name, op.written]).toEqual([op.name, op.value]);
            expect(op.value & 0x80000000).toBe(0);
        }
    });

    it('names only declared, builtin or standard types', () => {
        const declared = new Set(declarations.map((d) => d.combinator.name));
        for (const d of declarations) {
            const fieldNames = new Set(d.fields.map((f) => (f as unknown as { name?: string }).name).filter((n): n is string => !!n));
            const visitor = new TypeNames();
            for (const f of d.fields) visitor.visit(f);
            for (const { name, withArgs } of visitor.found) {
                if (BUILTIN_WITH_ARG.has(name)) {
                    expect([d.constructorDef.name, name, withArgs]).toEqual([d.constructorDef.name, name, true]);
                    continue;
                }
                const known = declared.has(name) || STANDARD.has(name) || BUILTIN_SIZED.test(name) || fieldNames.has(name);
                expect([d.constructorDef.name, name, known]).toEqual([d.constructorDef.name, name, true]);
            }
        }
    });
});
