#!/usr/bin/env bash
# Puts the fuzzer onto a checkout of the code before the hardening (b0ff0ba), so that its campaigns can be run
# against the old contracts and seen to find the review's findings there:
#   scripts/fuzz/onto-old-code.sh money /tmp/old-money   # the money-path fuzzer with the reach steps
#   scripts/fuzz/onto-old-code.sh gov   /tmp/old-gov     # the governance world
# It clones this repository into the directory, checks out b0ff0ba, applies scripts/fuzz/old-code/<world>.patch
# and runs `npm ci` there. The patches add the fuzzer's files and, where the old wrappers lack what the hardening
# added, shims that encode those actions as what the old contracts refuse (an unknown council action tag, an unknown
# op) and report no evidence and no pause flags. Nothing in the old contracts is changed. Then, in that directory:
#   money: npm run fuzz -- --focus clientCutsChallenge --steps 1500 --length 25 --seed 2   (finding 1)
#          npm run fuzz -- --focus pendingWithoutExit --steps 300 --length 25 --seed 1     (finding 4)
#          npm run fuzz -- --focus reputationFreeze --steps 600 --length 40 --seed 2     (finding 5)
#          npm run fuzz -- --focus keyRotationEvasion --steps 150 --length 20 --seed 1   (finding 6)
#          npm run fuzz -- --focus inexactExternalClaim --steps 400 --length 25 --seed 2 (finding 8)
#          npm run fuzz -- --focus libraryRunway --steps 300 --length 20 --seed 1        (finding 9)
#   gov:   npm run fuzz -- --gov <exactValue|noExpiry|cleanupRace|refusedRoot|badDescription|handover> --steps 300 --seed 1 --length 12
set -euo pipefail
world=${1:?money or gov}
old=${2:?directory for the old checkout}
here=$(cd "$(dirname "$0")/../.." && pwd)
patch="$here/scripts/fuzz/old-code/$world.patch"
[ -f "$patch" ] || { echo "no patch for '$world' (money or gov)" >&2; exit 2; }
[ -e "$old" ] && { echo "$old exists; give a new directory" >&2; exit 2; }
git clone -q "$here" "$old"
cd "$old"
git -c advice.detachedHead=false checkout -q b0ff0ba
git apply "$patch"
npm ci --no-audit --no-fund
echo "the $world fuzzer is on the old code in $old"
