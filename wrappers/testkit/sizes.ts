/** Sizes and prices tests reason about: cell trees as the fee rules count them, configs with changed prices. */
import { Cell } from '@ton/core';
import { loadConfig, updateConfig } from '@ton/sandbox';

/** Distinct cells and their bits in one or more cell trees (what storage and forwarding are priced on). */
export function treeSize(roots: Cell | Cell[]): { cells: number; bits: number } {
    const seen = new Set<string>();
    let bits = 0;
    const walk = (c: Cell) => {
        const h = c.hash().toString('hex');
        if (seen.has(h)) return;
        seen.add(h);
        bits += c.bits.length;
        c.refs.forEach(walk);
    };
    (Array.isArray(roots) ? roots : [roots]).forEach(walk);
    return { cells: seen.size, bits };
}

/** The config parser returns some 64-bit fields as numbers at run time whatever its types say. */
function scale<T extends bigint | number>(value: T, factor: bigint): T {
    return (typeof value === 'bigint' ? value * factor : Number(value) * Number(factor)) as T;
}

/** The config with basechain gas prices (param 21) and forwarding prices (param 25) multiplied. */
export function configWithPrices(config: Cell, gasFactor: bigint, fwdFactor: bigint): Cell {
    const parsed = loadConfig(config);
    const gas = parsed[21].anon0;
    if (gas.kind !== 'GasLimitsPrices_gas_flat_pfx' || gas.other.kind !== 'GasLimitsPrices_gas_prices_ext') {
        throw new Error(`unexpected gas price layout ${gas.kind}`);
    }
    const fwd = parsed[25].anon0;
    return updateConfig(
        config,
        {
            kind: 'ConfigParam_config_gas_prices',
            anon0: { ...gas, flat_gas_price: scale(gas.flat_gas_price, gasFactor), other: { ...gas.other, gas_price: scale(gas.other.gas_price, gasFactor) } },
        },
        {
            kind: 'ConfigParam_config_fwd_prices',
            anon0: { ...fwd, lump_price: scale(fwd.lump_price, fwdFactor), bit_price: scale(fwd.bit_price, fwdFactor), _cell_price: scale(fwd._cell_price, fwdFactor) },
        },
    );
}
