/**
 * How addresses and periods are shown to people, in one place: the scripts, the decoder and the wrappers'
 * readable descriptions (describeAction) all print through these, so a member sees the same form everywhere.
 */
import { Address } from '@ton/core';

/** How an address is printed: the network's form (test-only off mainnet). */
export interface AddressView {
    testOnly: boolean;
}

/** What an address belongs to: wallets are shown non-bounceable (UQ…/0Q…), contracts bounceable (EQ…/kQ…). */
export type AccountKind = 'contract' | 'wallet';

/** The mainnet view: what a describer prints when the caller does not say which network it reads. */
export const MAINNET_VIEW: AddressView = { testOnly: false };

/** An address as a wallet app shows it: user-friendly, url-safe, of the right network and bounceability. */
export function friendlyAddress(address: Address, view: AddressView, kind: AccountKind = 'contract'): string {
    return address.toString({ testOnly: view.testOnly, bounceable: kind === 'contract', urlSafe: true });
}

/** Seconds as a human duration: "3 days", "2 days 4 h", "45 min", "30 s". */
export function duration(seconds: number): string {
    if (seconds <= 0) return '0 s';
    const d = Math.floor(seconds / 86_400);
    const h = Math.floor((seconds % 86_400) / 3_600);
    const m = Math.floor((seconds % 3_600) / 60);
    const s = seconds % 60;
    const parts: string[] = [];
    if (d) parts.push(`${d} day${d === 1 ? '' : 's'}`);
    if (h) parts.push(`${h} h`);
    if (m && !d) parts.push(`${m} min`);
    if (s && !d && !h) parts.push(`${s} s`);
    return parts.join(' ');
}

/** A unix time as UTC text ("-" for 0). */
export function utc(t: number): string {
    return t ? new Date(t * 1000).toISOString().replace('.000Z', 'Z') : '-';
}
