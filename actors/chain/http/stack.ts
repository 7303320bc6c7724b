/**
 * The toncenter v2 get-method stack formats, both ways: what runGetMethod takes (`[["num","0x1"],["tvm.Cell",b64]]`)
 * and what it returns (`["num","0x…"]`, `["cell",{bytes}]`, `["slice",{bytes}]`, `["null"]`,
 * `["tuple",{elements:[tvm.stackEntry…]}]`). TonClient's own reader drops the types of tuple elements, so the
 * chain layer reads results with this one; the local chain server writes them with it.
 */
import { Cell, TupleItem } from '@ton/core';
import { ChainError } from '../types';

type Json = unknown;

export function stackArgsToJson(items: TupleItem[]): [string, string][] {
    return items.map((s) => {
        switch (s.type) {
            case 'int':
                return ['num', s.value.toString()];
            case 'cell':
                return ['tvm.Cell', s.cell.toBoc().toString('base64')];
            case 'slice':
                return ['tvm.Slice', s.cell.toBoc().toString('base64')];
            case 'builder':
                return ['tvm.Builder', s.cell.toBoc().toString('base64')];
            default:
                throw new ChainError('rejected', `get-method arguments of type ${s.type} are not supported by the v2 API`);
        }
    });
}

export function stackArgsFromJson(stack: Json): TupleItem[] {
    if (!Array.isArray(stack)) throw new Error('stack: expected an array');
    return stack.map((e: Json) => {
        if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') throw new Error('stack entry: expected [type, value]');
        const [t, v] = e as [string, Json];
        const value = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
        switch (t) {
            case 'num':
            case 'number':
            case 'int':
                return { type: 'int', value: parseNum(value) };
            case 'tvm.Cell':
            case 'cell':
                return { type: 'cell', cell: Cell.fromBase64(value) };
            case 'tvm.Slice':
            case 'slice':
                return { type: 'slice', cell: Cell.fromBase64(value) };
            case 'tvm.Builder':
            case 'builder':
                return { type: 'builder', cell: Cell.fromBase64(value) };
            default:
                throw new Error(`stack entry type ${t} not supported`);
        }
    });
}

function parseNum(v: string): bigint {
    const neg = v.startsWith('-');
    const body = neg ? v.slice(1) : v;
    const n = BigInt(body);
    return neg ? -n : n;
}

const hexNum = (v: bigint) => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

export function stackResultToJson(items: TupleItem[]): Json[] {
    return items.map((s): Json => {
        switch (s.type) {
            case 'int':
                return ['num', hexNum(s.value)];
            case 'nan':
                return ['num', 'NaN'];
            case 'null':
                return ['null'];
            case 'cell':
                return ['cell', { bytes: s.cell.toBoc().toString('base64'), object: {} }];
            case 'slice':
                return ['slice', { bytes: s.cell.toBoc().toString('base64'), object: {} }];
            case 'builder':
                return ['builder', { bytes: s.cell.toBoc().toString('base64'), object: {} }];
            case 'tuple':
                return ['tuple', { '@type': 'tvm.tuple', elements: s.items.map(entryToJson) }];
        }
    });
}

function entryToJson(s: TupleItem): Json {
    switch (s.type) {
        case 'int':
            return { '@type': 'tvm.stackEntryNumber', number: { '@type': 'tvm.numberDecimal', number: s.value.toString() } };
        case 'cell':
            return { '@type': 'tvm.stackEntryCell', cell: { '@type': 'tvm.cell', bytes: s.cell.toBoc().toString('base64') } };
        case 'slice':
        case 'builder':
            return { '@type': 'tvm.stackEntrySlice', slice: { '@type': 'tvm.slice', bytes: s.cell.toBoc().toString('base64') } };
        case 'tuple':
            return { '@type': 'tvm.stackEntryTuple', tuple: { '@type': 'tvm.tuple', elements: s.items.map(entryToJson) } };
        case 'null':
        case 'nan':
            return { '@type': 'tvm.stackEntryNull' };
    }
}

/** Reads a v2 runGetMethod result stack into typed items; anything unexpected is a bad response. */
export function stackResultFromJson(stack: Json[]): TupleItem[] {
    return stack.map((e) => {
        if (!Array.isArray(e) || typeof e[0] !== 'string') throw new ChainError('bad_response', `stack entry ${JSON.stringify(e)}`);
        const [t, v] = e as [string, Json];
        switch (t) {
            case 'num':
                if (typeof v !== 'string') throw new ChainError('bad_response', 'num entry without a value');
                return { type: 'int', value: parseNum(v) };
            case 'null':
                return { type: 'null' };
            case 'cell':
            case 'slice':
            case 'builder':
                return { type: t, cell: Cell.fromBase64(bytesOf(v)) } as TupleItem;
            case 'tuple':
            case 'list':
                return { type: 'tuple', items: elementsOf(v).map(entryFromJson) };
            default:
                throw new ChainError('bad_response', `stack entry type ${t}`);
        }
    });
}

function bytesOf(v: Json): string {
    const b = (v as { bytes?: unknown } | null)?.bytes;
    if (typeof b !== 'string') throw new ChainError('bad_response', 'stack cell without bytes');
    return b;
}

function elementsOf(v: Json): Json[] {
    const e = (v as { elements?: unknown } | null)?.elements;
    if (!Array.isArray(e)) throw new ChainError('bad_response', 'stack tuple without elements');
    return e;
}

function entryFromJson(x: Json): TupleItem {
    const o = x as Record<string, Json>;
    switch (o?.['@type']) {
        case 'tvm.stackEntryNumber':
            return { type: 'int', value: parseNum(String((o.number as { number?: unknown })?.number)) };
        case 'tvm.stackEntryCell':
            return { type: 'cell', cell: Cell.fromBase64(bytesOf(o.cell)) };
        case 'tvm.stackEntrySlice':
            return { type: 'slice', cell: Cell.fromBase64(bytesOf(o.slice)) };
        case 'tvm.stackEntryTuple':
            return { type: 'tuple', items: elementsOf(o.tuple).map(entryFromJson) };
        case 'tvm.stackEntryList':
            return { type: 'tuple', items: elementsOf(o.list).map(entryFromJson) };
        case 'tvm.stackEntryNull':
            return { type: 'null' };
        default:
            throw new ChainError('bad_response', `stack element ${JSON.stringify(x)}`);
    }
}
