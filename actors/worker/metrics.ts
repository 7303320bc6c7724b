/** Prometheus metrics (GET /metrics), one registry per worker process. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TokenCounts } from '../../wrappers/payloads';
import type { SessionEvents } from './core/session';

export class WorkerMetrics {
    readonly registry = new Registry();
    readonly requests = new Counter({ name: 'cocoon_worker_requests_total', help: 'Requests by outcome', labelNames: ['outcome'], registers: [this.registry] });
    readonly tokens = new Counter({ name: 'cocoon_worker_tokens_total', help: 'Tokens served and signed, by category', labelNames: ['category'], registers: [this.registry] });
    readonly earned = new Counter({ name: 'cocoon_worker_earned_nanoton_total', help: 'Cost of every receipt signed (TON earned, nanoton)', registers: [this.registry] });
    readonly vouchersHeld = new Gauge({ name: 'cocoon_worker_vouchers_held_nanoton', help: 'Sum of the best voucher of every job (nanoton)', registers: [this.registry] });
    readonly vouchersClaimed = new Gauge({ name: 'cocoon_worker_vouchers_claimed_nanoton', help: 'Sum of what jobs have paid out, as last confirmed on-chain (nanoton)', registers: [this.registry] });
    readonly claims = new Counter({ name: 'cocoon_worker_claims_total', help: 'Claims by result', labelNames: ['result'], registers: [this.registry] });
    readonly engineFirstByte = new Histogram({
        name: 'cocoon_worker_engine_first_byte_seconds',
        help: 'Time from sending a request to the engine to its answer headers',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [this.registry],
    });
    readonly paddingWire = new Counter({ name: 'cocoon_worker_stream_wire_bytes_total', help: 'Bytes of response frames sent (after padding and sealing)', registers: [this.registry] });
    readonly paddingPayload = new Counter({ name: 'cocoon_worker_stream_payload_bytes_total', help: 'Answer bytes carried in those frames', registers: [this.registry] });

    constructor() {
        collectDefaultMetrics({ register: this.registry, prefix: 'cocoon_worker_' });
    }

    sessionEvents(): SessionEvents {
        return {
            request: (outcome) => this.requests.inc({ outcome }),
            tokens: (t: TokenCounts) => {
                this.tokens.inc({ category: 'prompt' }, t.prompt - t.cached);
                this.tokens.inc({ category: 'cached' }, t.cached);
                this.tokens.inc({ category: 'completion' }, t.completion - t.reasoning);
                this.tokens.inc({ category: 'reasoning' }, t.reasoning);
            },
            earned: (cost) => this.earned.inc(Number(cost)),
            engineFirstByte: (ms) => this.engineFirstByte.observe(ms / 1000),
            paddingBytes: (payload, wire) => {
                this.paddingPayload.inc(payload);
                this.paddingWire.inc(wire);
            },
        };
    }
}
