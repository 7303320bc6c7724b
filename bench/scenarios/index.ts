/** Every gas scenario, in the order docs/gas.md shows them. */
import { councilScenario } from './council';
import { jobScenario } from './job';
import { registryScenario } from './registry';
import { Scenario } from './types';

export const scenarios: Scenario[] = [registryScenario, jobScenario, councilScenario];
