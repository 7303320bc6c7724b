/**
 * Governance events: the codec lives in wrappers/events.ts (one decoder for every event the contracts emit, worker
 * and governance alike); this module re-exports its governance part for existing imports.
 */
export type { EmittedGovernanceEvent, GovernanceEvent } from './events';
export { governanceEventsOf, parseGovernanceEvent } from './events';
