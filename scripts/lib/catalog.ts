/**
 * Every Blueprint script with one line saying what it does: printed when `npx blueprint run` has no terminal to
 * ask in, and the source of the README's script table (tests/scripts/WalletUx.spec.ts "the script list" checks
 * both against the files in scripts/).
 */
export const SCRIPTS: ReadonlyArray<readonly [name: string, what: string]> = [
    ['root/deploy', 'deploy a root registry governed by your wallet'],
    ['root/publishJobCode', 'publish the job escrow code as a masterchain library'],
    ['root/fundLibrary', "pay the job-code library's rent from the treasury (anyone)"],
    ['root/governance', 'one governance action on the root (allowlists, parameters, code, treasury, slash)'],
    ['root/sync', 'push the root parameters and job code to a worker account (anyone)'],
    ['root/status', 'read: parameters, governance, treasury, fees, image and model allowlists (no wallet)'],
    ['worker/register', 'register a worker (GPU) with its stake and attested keys'],
    ['worker/update', 'rotate keys or measurements of a registered worker'],
    ['worker/addStake', 'add stake to a worker account (anyone)'],
    ['worker/setPrices', 'change prices and endpoint'],
    ['worker/setPayoutThreshold', 'forward job earnings once they reach an amount'],
    ['worker/setOperator', 'authorise (or revoke) the operator wallet that may only re-attest the worker'],
    ['worker/collect', 'forward the held job earnings now (comment "collect")'],
    ['worker/unbond', 'start unbonding the stake (comment "unbond")'],
    ['worker/cancelUnbond', 'stay active (comment "cancel unbond")'],
    ['worker/withdraw', 'take the stake back after unbonding (comment "withdraw")'],
    ['worker/status', "read: a worker account's state, keys, profile, reputation (no wallet)"],
    ['job/open', 'open a job escrow with a worker: deposit and voucher key (client)'],
    ['job/topup', 'add to a job deposit (anyone; empty comment)'],
    ['job/close', 'start the challenge period of your job (comment "close", client)'],
    ['job/finalize', 'settle a job after its challenge period (comment "finalize", anyone)'],
    ['job/status', "read: a job, or every job a client opened, found from its address (no wallet)"],
    ['council/deploy', 'deploy a DAO council for a root'],
    ['council/handover', 'hand the root over to the council (propose, then accept)'],
    ['council/propose', "create a proposal; its id is read from the council's transaction, also when your wallet sends the link (`--proposer`, `--wait`)"],
    ['council/vote', 'vote yes or no (comment "yes" / "no")'],
    ['council/execute', 'execute a passed proposal after its timelock (comment "execute")'],
    ['council/veto', 'guardian veto, until the proposal is executed'],
    ['council/emergency', 'guardian: retire an image, remove a model or pause, at once (restrict only)'],
    ['council/cancel', 'the proposer cancels while voting (comment "cancel")'],
    ['council/cleanup', 'refund and remove a finished proposal (comment "cleanup")'],
    ['council/status', "read: the council, one proposal with its actions and votes, or a member's proposals (`--proposer`) (no wallet)"],
];

/** What `npx blueprint run` prints when it cannot ask which script, network or wallet (no terminal). */
export function noTerminalHelp(): string {
    const width = Math.max(...SCRIPTS.map(([n]) => n.length));
    return [
        'npx blueprint run needs a terminal to ask which script, network and wallet to use; none is attached.',
        'Name them all, e.g.:',
        '  npx blueprint run worker/status --testnet --tonconnect -- --worker EQ…',
        '  npx blueprint run council/vote --testnet --mnemonic -- --council EQ… --id 3 --vote yes --send',
        'A script that may send also needs --send (send from that wallet) or --link-only (print the ton:// link only).',
        'Read-only scripts, and any script with --link-only, need no wallet at all:',
        '  npm run read -- root/status --testnet --root EQ…',
        '  npm run read -- council/vote --testnet --council EQ… --id 3 --vote yes   (prints the ton:// link)',
        '',
        'Scripts:',
        ...SCRIPTS.map(([n, what]) => `  ${n.padEnd(width)}  ${what}`),
    ].join('\n');
}

/** Scripts that only read (the catalog line says so): they never ask whether to send. */
function readsOnly(script: string): boolean {
    return SCRIPTS.some(([n, what]) => n === script && what.startsWith('read:'));
}

/**
 * Whether a `blueprint run` command line would stop at a question with no terminal to answer it: no script
 * named, or no network, or no wallet choice, or (for a script that may send) neither --send nor --link-only,
 * since deliver() then asks which of the two.
 */
export function wouldPromptWithoutTerminal(argv: string[]): boolean {
    const i = argv.indexOf('run');
    if (i < 0) return false;
    const rest = argv.slice(i + 1);
    const script = rest.find((a) => !a.startsWith('-'));
    const has = (f: string) => rest.includes(f);
    const network = has('--mainnet') || has('--testnet') || has('--tetra') || has('--custom');
    const wallet = has('--tonconnect') || has('--deeplink') || has('--mnemonic');
    const delivery = has('--send') || has('--link-only') || (script !== undefined && readsOnly(script));
    return !script || !network || !wallet || !delivery;
}
