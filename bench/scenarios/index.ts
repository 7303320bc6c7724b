/** Every gas scenario, in the order docs/gas.md shows them. */
import { registryScenario } from './registry';
import { Scenario } from './types';

export const scenarios: Scenario[] = [registryScenario];
