/**
 * How much of a request a job can pay for, decided before the engine runs, so that no usage the engine can
 * report within the bounds ever costs more than the deposit left or the credit the worker gives.
 *
 *   committed     = max(receipts' cumulative, best voucher, paid on-chain)
 *   budget        = min(deposit − committed, creditLimit − (cumulative − best voucher))
 *   prompt bound  = inner request bytes + PROMPT_SLACK   (a token is never shorter than a byte of the JSON
 *                   that carries it, except the chat template's special tokens, which the slack covers)
 *   worst(c)      = ceil((promptBound · max(prompt, cached) + (c + COMPLETION_SLACK) · max(completion, reasoning)) / 1e6)
 *   max_tokens    = the largest c with worst(c) ≤ budget, at most the client's own max_tokens and maxTokens
 *
 * requestCost (the codec's price function, rounded down) of any counts within the bounds is ≤ worst(c).
 */
import type { Prices } from '../../../wrappers/common';

export const PROMPT_SLACK = 64;
/** vLLM counts the EOS token in completion_tokens; it is one of the max_tokens, but leave room for one. */
export const COMPLETION_SLACK = 1;
const MILLION = 1_000_000n;

export interface BudgetInput {
    deposit: bigint;
    /** Cumulative cost of the receipts issued. */
    cumulative: bigint;
    /** What the job already paid out (a voucher may run ahead of the receipts). */
    paid: bigint;
    bestVoucher: bigint;
    creditLimit: bigint;
}

export interface Budget {
    budget: bigint;
    /** Which limit binds: decides the refusal code when the budget is too small. */
    limitedBy: 'deposit' | 'credit';
}

export function budgetOf(b: BudgetInput): Budget {
    let committed = b.cumulative;
    if (b.bestVoucher > committed) committed = b.bestVoucher;
    if (b.paid > committed) committed = b.paid;
    const depositLeft = b.deposit - committed;
    const unpaid = b.cumulative - b.bestVoucher;
    const creditLeft = b.creditLimit - (unpaid > 0n ? unpaid : 0n);
    return depositLeft <= creditLeft ? { budget: depositLeft, limitedBy: 'deposit' } : { budget: creditLeft, limitedBy: 'credit' };
}

function maxBig(a: bigint, b: bigint): bigint {
    return a > b ? a : b;
}

export function worstCaseCost(promptBound: number, completionCap: number, p: Prices): bigint {
    const micro = BigInt(promptBound) * maxBig(p.prompt, p.cached) + BigInt(completionCap + COMPLETION_SLACK) * maxBig(p.completion, p.reasoning);
    return (micro + MILLION - 1n) / MILLION;
}

export interface Plan {
    promptBound: number;
    /** max_tokens for the engine (≥ 1). */
    maxTokens: number;
    worstCase: bigint;
}

/**
 * The plan for one request, or the reason it cannot be served: null budget means not even the prompt and
 * one completion token fit.
 */
export function planRequest(input: { budget: Budget; prices: Prices; innerBytes: number; clientMaxTokens: number | null; maxTokens: number }): Plan | { refused: 'insufficient_deposit' | 'credit_exceeded' } {
    const promptBound = input.innerBytes + PROMPT_SLACK;
    const { budget, limitedBy } = input.budget;
    const refuse = { refused: limitedBy === 'deposit' ? ('insufficient_deposit' as const) : ('credit_exceeded' as const) };
    let cap = Math.min(input.maxTokens, input.clientMaxTokens ?? input.maxTokens);
    if (cap < 1) cap = 1;
    const unit = maxBig(input.prices.completion, input.prices.reasoning);
    const promptMicro = BigInt(promptBound) * maxBig(input.prices.prompt, input.prices.cached);
    if (budget <= 0n) return refuse;
    if (unit > 0n) {
        // largest c with ceil((promptMicro + (c + slack)·unit)/1e6) ≤ budget  ⟺  promptMicro + (c + slack)·unit ≤ budget·1e6
        const room = budget * MILLION - promptMicro;
        if (room < 0n) return refuse;
        const c = room / unit - BigInt(COMPLETION_SLACK);
        if (c < 1n) return refuse;
        if (c < BigInt(cap)) cap = Number(c);
    } else if (promptMicro > budget * MILLION) return refuse;
    const worstCase = worstCaseCost(promptBound, cap, input.prices);
    if (worstCase > budget) return refuse; // cannot happen by construction; kept as the invariant's guard
    return { promptBound, maxTokens: cap, worstCase };
}
