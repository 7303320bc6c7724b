import { IsvLevel, TcbInfo, TcbLevel } from './schema';
import { TcbStatus } from '../verify/types';

/**
 * TCB level selection, following Intel's QVL (TcbLevelCheck.cpp) as summarised in tdx.md §2.2:
 * walk the levels in the given (descending) order and take the first one whose SGX part and, for TDX,
 * TDX part are both met. Returns undefined when no level matches (TCB_NOT_SUPPORTED).
 */
export function sgxPartMatches(level: TcbLevel, pckComponents: readonly number[], pceSvn: number): boolean {
    return level.tcb.sgxtcbcomponents.every((c, i) => pckComponents[i] >= c.svn) && pceSvn >= level.tcb.pcesvn;
}

/**
 * Intel's TEE TCB SVN rule: when TEE_TCB_SVN[1] (the TDX module major version) is non-zero, bytes 0 and 1
 * are the module's own SVN and version, which are judged by tdxModuleIdentities instead; the level
 * comparison then starts at byte 2. When it is zero, all 16 bytes are compared.
 */
export function tdxPartMatches(level: TcbLevel, teeTcbSvn: Uint8Array): boolean {
    const comps = level.tcb.tdxtcbcomponents;
    if (!comps) return false;
    const start = teeTcbSvn[1] > 0 ? 2 : 0;
    for (let i = start; i < 16; i++) if (teeTcbSvn[i] < comps[i].svn) return false;
    return true;
}

export function selectPlatformLevel(
    info: TcbInfo,
    pckComponents: readonly number[],
    pceSvn: number,
    teeTcbSvn?: Uint8Array,
): TcbLevel | undefined {
    return info.tcbLevels.find((l) => sgxPartMatches(l, pckComponents, pceSvn) && (teeTcbSvn === undefined || tdxPartMatches(l, teeTcbSvn)));
}

/** QE identity and TDX module identity levels: the first with isvsvn <= the reported SVN. */
export function selectIsvLevel(levels: IsvLevel[], isvSvn: number): IsvLevel | undefined {
    return levels.find((l) => l.tcb.isvsvn <= isvSvn);
}

/**
 * Folds a QE or TDX-module status into the platform status (Intel QVL convergence rule): an out-of-date
 * component makes UpToDate/SWHardeningNeeded OutOfDate and Configuration* OutOfDateConfigurationNeeded;
 * a revoked one revokes the result; anything else leaves the platform status as it is.
 */
export function convergeStatus(platform: TcbStatus, component: TcbStatus): TcbStatus {
    if (component === 'Revoked' || platform === 'Revoked') return 'Revoked';
    if (component === 'OutOfDate' || component === 'OutOfDateConfigurationNeeded') {
        if (platform === 'UpToDate' || platform === 'SWHardeningNeeded') return 'OutOfDate';
        if (platform === 'ConfigurationNeeded' || platform === 'ConfigurationAndSWHardeningNeeded') return 'OutOfDateConfigurationNeeded';
    }
    return platform;
}
