#!/usr/bin/env bash
# Copies the governance fuzzer onto a checkout of the code before the governance hardening (b0ff0ba), so that
# its campaigns can be run against the old contracts:
#   scripts/fuzz/onto-old-code.sh /path/to/old-checkout
#   cd /path/to/old-checkout && npm run fuzz -- --gov noExpiry --steps 300 --seed 1 --length 12
# The old wrappers lack what the hardening added: the shims below encode those actions as what the old contracts
# refuse (an unknown council action tag, an unknown op), and report no evidence and no pause flags. Nothing in
# the old contracts is changed. Never commit the result in the old checkout.
set -euo pipefail
old=${1:?old checkout}
here=$(cd "$(dirname "$0")/../.." && pwd)
for f in gov-world.ts governance.ts gov-actions.ts actions.ts run.ts focus.ts; do cp "$here/wrappers/testkit/fuzz/$f" "$old/wrappers/testkit/fuzz/$f"; done
cp "$here/wrappers/testkit/ledger.ts" "$old/wrappers/testkit/ledger.ts"
cp "$here/scripts/fuzz/main.ts" "$old/scripts/fuzz/main.ts"
cd "$old"
grep -q 'fuzz shim' wrappers/Council.ts || {
    # an action kind the old council does not know: an unknown tag, refused at creation
    perl -0pi -e "s/(return b\.storeUint\(ActionTag\.setGuardian.*?\n)(    \})/\$1        default: \/\/ fuzz shim\n            return b.storeUint(0xff, 8).endCell();\n\$2/s" wrappers/Council.ts
    cat >> wrappers/Council.ts <<'TS'

// fuzz shim: the old council has no evidence and no emergency path (an unknown op, refused)
export function needsEvidence(_actions: unknown): boolean {
    return false;
}
export function emergencyActionBody(a: RootGovernanceAction): Cell {
    return beginCell().storeUint(0x0e0e0e0e, 32).storeUint(0, 64).storeRef(rootGovernanceBody(a)).endCell();
}
TS
}
grep -q 'fuzz shim' wrappers/Root.ts || perl -0pi -e 's/(    async getBalance\(provider: ContractProvider\): Promise<bigint> \{)/    \/\/ fuzz shim: no pause flags before the hardening\n    async getPaused(_provider: ContractProvider): Promise<number> {\n        return 0;\n    }\n\n$1/' wrappers/Root.ts
echo "fuzzer copied onto $old"
