/**
 * TypeScript mirror of contracts/op-codes.fc, contracts/errors.fc and the enumerations stored on-chain.
 * tests/contracts/Constants.spec.ts parses the FunC files and protocol.tlb and fails if anything drifts.
 */
export abstract class Op {
    static readonly excesses = 0xd53276db;
    static readonly textComment = 0;
    static readonly registerWorker = 0x1339c2d0;
    static readonly updateWorker = 0x36df060f;
    static readonly syncWorker = 0x39477472;
    static readonly treasuryDeposit = 0x48440fae;
    static readonly addImage = 0x0fa69e2b;
    static readonly retireImage = 0x37636f23;
    static readonly addModel = 0x36da74f1;
    static readonly removeModel = 0x7517f134;
    static readonly setParams = 0x683692a6;
    static readonly setCode = 0x6420d771;
    static readonly proposeGovernance = 0x28335c22;
    static readonly acceptGovernance = 0x6029312d;
    static readonly withdrawTreasury = 0x2678e5c9;
    static readonly slashWorker = 0x65504001;
    static readonly workerAttest = 0x7e237059;
    static readonly workerParams = 0x38c66e1c;
    static readonly govSlash = 0x5b8726bc;
    static readonly addStake = 0x109e38f6;
    static readonly setPrices = 0x075f1078;
    static readonly requestUnbond = 0x69621d39;
    static readonly cancelUnbond = 0x4f3ddba3;
    static readonly withdrawStake = 0x7ab6c1e4;
    static readonly setPayoutThreshold = 0x393884c1;
    static readonly collectEarnings = 0x2df13031;
    static readonly reportEquivocation = 0x7f3a372d;
    static readonly reportWrongModel = 0x325d96f3;
    static readonly openJob = 0x56c977ec;
    static readonly jobOffer = 0x0ca48230;
    static readonly jobAccepted = 0x53da1db3;
    static readonly jobRefused = 0x427370f6;
    static readonly topUp = 0x74ae1a26;
    static readonly claim = 0x40dfb3b8;
    static readonly closeJob = 0x409a4fc0;
    static readonly finalizeJob = 0x4da992b6;
    static readonly extClaim = 0x13fd9791;
    static readonly jobPayout = 0x1e6f757c;
    static readonly jobReport = 0x2dda3500;
    static readonly settleJob = 0x3ae91bab;
    static readonly payWorker = 0x65993193;
    // ---- child addressing, job opening through the root, library funding ----
    static readonly install = 0x7229d9e5;
    static readonly initJob = 0x3d5c02ff;
    static readonly fundLibrary = 0x2673c8f8;
    // ---- operator key: the owner authorises a wallet that may only re-attest the worker account ----
    static readonly setOperator = 0x2bbcdde0;
    static readonly operatorUpdate = 0x3b6f174e;
    static readonly operatorAttest = 0x36f1b301;
    // ---- DAO council and proposals ----
    static readonly createProposal = 0x7e6894f9;
    static readonly vetoProposal = 0x0cbc0d93;
    static readonly acceptRoot = 0x03208de7;
    static readonly proposalApproved = 0x6adec9a1;
    static readonly initProposal = 0x6a3f613e;
    static readonly councilVeto = 0x4f3d454e;
    static readonly vote = 0x46153def;
    static readonly executeProposal = 0x504a3c8b;
    static readonly cancelProposal = 0x7cf4a350;
    static readonly cleanupProposal = 0x1e0d1286;
    // ---- governance hardening: answers, cancellation by vote, the restrict-only emergency path, pauses ----
    static readonly proposalAnswer = 0x7a5c7f08;
    static readonly councilCancel = 0x6f98da65;
    static readonly emergencyAction = 0x7cb7faf2;
    static readonly pause = 0x1ebb6969;
    static readonly unpause = 0x74b8ca3d;
}

export abstract class Errors {
    /** TVM: a body shorter than its layout (malformed input). */
    static readonly cellUnderflow = 9;
    // 100..119 access
    /** sender is not the root's governance address */
    static readonly notGovernance = 100;
    /** sender is not the proposed new governance */
    static readonly notPendingGovernance = 101;
    /** sender is not the worker's owner */
    static readonly notOwner = 102;
    /** sender is not the root registry */
    static readonly notRoot = 103;
    /** sender is not the job's client */
    static readonly notClient = 104;
    /** sender is not the job's worker account */
    static readonly notWorker = 105;
    /** sender is not a job derived from the known job code */
    static readonly notJob = 106;
    /** no governance handover is pending */
    static readonly noPendingGovernance = 107;
    /** the governance handover offer has expired */
    static readonly handoverExpired = 108;
    /** governance has paused new registrations */
    static readonly registrationsPaused = 109;
    /** governance has paused new job openings */
    static readonly jobOpeningsPaused = 110;
    // 120..139 registry
    /** image hash unknown or past its retire_at */
    static readonly imageNotAllowed = 120;
    /** model hash not in the allowlist */
    static readonly modelNotAllowed = 121;
    /** attached stake below the minimum */
    static readonly stakeTooSmall = 122;
    /** a basis-point parameter above 10000 */
    static readonly bpsOutOfRange = 123;
    /** a period is zero or outside its documented bounds */
    static readonly badPeriod = 124;
    /** minimum challenge period above the maximum */
    static readonly minAboveMax = 125;
    /** image hash already in the allowlist */
    static readonly imageExists = 126;
    /** image hash not in the allowlist */
    static readonly imageUnknown = 127;
    /** model hash already in the allowlist */
    static readonly modelExists = 128;
    /** model hash not in the allowlist */
    static readonly modelUnknown = 129;
    /** too little value attached to pay the fees of the operation */
    static readonly insufficientValue = 130;
    /** withdrawal would go below the storage reserve */
    static readonly treasuryTooSmall = 131;
    /** endpoint or name longer than one cell */
    static readonly textTooLong = 132;
    /** a hash argument is zero */
    static readonly zeroHash = 133;
    /** child code not set */
    static readonly codeMissing = 134;
    /** a Prices cell is not exactly four Coins (extra bits or refs) */
    static readonly badPrices = 135;
    /** an Attestation cell is not exactly 768 bits without refs */
    static readonly badAttestation = 136;
    /** a Params cell has extra bits or refs */
    static readonly badParams = 137;
    /** a parameter outside its documented bounds (docs/protocol.md §5) */
    static readonly paramOutOfRange = 138;
    // 140..159 worker
    /** worker is not active */
    static readonly workerNotActive = 140;
    /** worker is not unbonding */
    static readonly notUnbonding = 141;
    /** unbonding deadline not reached */
    static readonly unbondNotDue = 142;
    /** worker is already unbonding */
    static readonly alreadyUnbonding = 143;
    /** attestation update for an account that was never registered */
    static readonly workerNotRegistered = 144;
    /** stake below the minimum, cannot become active */
    static readonly stakeBelowMin = 145;
    /** a slashed worker may only unbond and withdraw */
    static readonly workerSlashed = 146;
    /** the model changed but the receipt key did not */
    static readonly keyNotRotated = 147;
    /** slash above the stake or basis points above 10000 */
    static readonly slashTooLarge = 148;
    /** a key rotation would keep more retired receipt keys than the bound */
    static readonly tooManyRetiredKeys = 155;
    /** the worker account named in open_job is not a basechain address */
    static readonly workerNotBasechain = 156;
    /** an operator update from a wallet that is not the worker account's operator */
    static readonly notOperator = 157;
    // 160..179 job
    /** signature does not verify under the expected key */
    static readonly badSignature = 160;
    /** signed payload has the wrong 32-bit tag */
    static readonly wrongTag = 161;
    /** signed payload names another network global id */
    static readonly wrongNetwork = 162;
    /** signed payload names another contract */
    static readonly wrongJob = 163;
    /** voucher amount does not exceed what was already paid */
    static readonly voucherNotNewer = 164;
    /** job is not active */
    static readonly jobNotActive = 165;
    /** challenge period outside the root's bounds */
    static readonly challengeOutOfRange = 166;
    /** job is not in its challenge period */
    static readonly notClosing = 167;
    /** challenge period still running */
    static readonly challengeNotOver = 168;
    /** challenge period is over, only finalize remains */
    static readonly challengeOver = 169;
    /** job is not waiting for the worker's answer */
    static readonly jobNotPending = 170;
    /** the client's maximum prices do not cover the worker's prices */
    static readonly pricesTooLow = 171;
    /** external claim pays less than its own gas */
    static readonly payoutBelowGas = 172;
    /** deposit does not cover the job's reserve */
    static readonly depositTooSmall = 173;
    /** job was already opened */
    static readonly jobAlreadyOpen = 174;
    /** the worker's time to answer a pending job is not over */
    static readonly answerNotDue = 175;
    /** a countersigned settlement needs a final voucher */
    static readonly notFinal = 176;
    /** an external message not in the one accepted layout */
    static readonly badLayout = 177;
    /** the job holds no earnings for the worker */
    static readonly nothingToPay = 178;
    // 180..199 evidence
    /** the two receipts are the same */
    static readonly evidenceIdentical = 180;
    /** the two receipts have different sequence numbers */
    static readonly evidenceSeqnoMismatch = 181;
    /** the two receipts name different jobs */
    static readonly evidenceJobMismatch = 182;
    /** this evidence was already punished */
    static readonly evidenceUsed = 183;
    /** the receipt names the registered model */
    static readonly modelMatches = 184;
    /** the two receipts are not signed by the same key */
    static readonly evidenceKeyMismatch = 185;
    /** the two receipts name different lives (nonces) of the job */
    static readonly evidenceNonceMismatch = 186;
    // 200..239 DAO council and proposals
    /** sender is not a council member (or not in the proposal snapshot) */
    static readonly notMember = 200;
    /** sender is not the proposal contract of that id */
    static readonly notProposal = 201;
    /** proposal was made under an older epoch (member set, weights or threshold changed) */
    static readonly staleEpoch = 202;
    /** sender is not the guardian, or there is none */
    static readonly notGuardian = 203;
    /** the guardian has no power after its sunset */
    static readonly guardianSunset = 204;
    /** sender is not the proposer */
    static readonly notProposer = 205;
    /** sender is not the council */
    static readonly notCouncil = 206;
    /** proposal is not in its voting state */
    static readonly notVoting = 207;
    /** voting deadline has passed */
    static readonly votingOver = 208;
    /** this member has already voted */
    static readonly alreadyVoted = 209;
    /** proposal has not passed (or was already executed) */
    static readonly notPassed = 210;
    /** timelock is not over yet */
    static readonly timelockRunning = 211;
    /** timelock is over, the proposal can no longer be vetoed */
    static readonly timelockOver = 212;
    /** proposal is still live, it cannot be cleaned up */
    static readonly notFinished = 213;
    /** proposal has no actions */
    static readonly noActions = 214;
    /** proposal has more actions than the maximum */
    static readonly tooManyActions = 215;
    /** action with an unknown tag, a bad layout, gaps in its keys or trailing data */
    static readonly malformedAction = 216;
    /** root action body is not a well-formed root governance operation */
    static readonly badRootAction = 217;
    /** member is already in the council */
    static readonly memberExists = 218;
    /** member is not in the council */
    static readonly memberUnknown = 219;
    /** council would have more than 255 members */
    static readonly tooManyMembers = 220;
    /** member weight is zero */
    static readonly zeroWeight = 221;
    /** threshold zero, above the total weight, or not above half of it (the quorum floor) */
    static readonly badThreshold = 222;
    /** voting period, timelock or execution window outside its floor and ceiling (bound::min_/max_*) */
    static readonly badCouncilPeriod = 223;
    /** value attached to a proposal is below get_proposal_fee */
    static readonly proposalFeeTooSmall = 224;
    /** value attached to execute does not cover the actions and fees */
    static readonly executeValueTooSmall = 225;
    /** member, voter or guardian address is not a basechain address */
    static readonly notBasechain = 226;
    /** proposal was already initialised */
    static readonly alreadyInitialized = 227;
    /** description is not a Text (more than one cell, or not whole bytes) */
    static readonly descriptionTooLong = 228;
    /** root action value below the minimum that pays the root */
    static readonly actionValueTooSmall = 229;
    /** the proposal's execution window is over (or it expired while voting) */
    static readonly proposalExpired = 230;
    /** guardian sunset in the past or beyond the ceiling */
    static readonly badGuardianSunset = 231;
    /** emergency action that does not only restrict (retire image, remove model, pause) */
    static readonly notRestrictive = 232;
    /** a proposal that adds an image or a model carries no evidence hash */
    static readonly evidenceMissing = 233;
    /** withdrawal would take the council below its storage reserve */
    static readonly councilReserve = 234;
    /** an execution is in flight: retry after the answer timeout */
    static readonly executionPending = 235;
    /** pause flags zero or unknown */
    static readonly badPauseFlags = 236;
    // general
    /** op not handled by this contract */
    // 240..249 job-code library
    /** the job-code library is paid for less than the minimum runway: no job may open */
    static readonly libraryUnfunded = 240;
    /** the job-code library is already paid up to the target runway */
    static readonly libraryFunded = 241;
    // 250..259 plain-wallet comments
    /** a text comment that is neither a command of this contract nor a deposit word */
    static readonly notACommand = 250;
    static readonly unknownOp = 0xffff;
}

/** Tags of the events contracts emit as external-out messages ("events" in protocol.tlb, event:: in op-codes.fc). */
export abstract class Events {
    static readonly workerRegistered = 0x1b313ff4;
    static readonly workerUpdated = 0x25dedd82;
}

/** 32-bit domain tags that start every off-chain signed payload (ASCII). */
export abstract class Tags {
    /** "vchr": a client's cumulative voucher. */
    static readonly voucher = 0x76636872;
    /** "rcpt": a worker's signed receipt. */
    static readonly receipt = 0x72637074;
}

/** Worker account status (worker_storage.status). */
export enum WorkerStatus {
    Active = 1,
    Unbonding = 2,
    Slashed = 3,
    Inactive = 4,
}

/** Job escrow state (job_storage.state). A closed job destroys its account. */
export enum JobState {
    Pending = 1,
    Active = 2,
    Closing = 3,
}

/** Basis points denominator for fees, slashes and rewards. */
export const BPS = 10_000n;

/**
 * Tags of the governance events (protocol.tlb "events", GovernanceEvent): external-out log messages of the
 * council, its proposals and the root's governance operations. CRC32 of the constructor, as for op codes;
 * contracts/op-codes.fc event::*; decoded by wrappers/events.ts (with the worker events).
 */
export abstract class GovernanceEventTag {
    static readonly proposalCreated = 0x23075fbc;
    static readonly proposalVoted = 0x3e14c63f;
    static readonly proposalPassed = 0x5c964653;
    static readonly proposalRejected = 0x47cbafe6;
    static readonly proposalExecuted = 0x5a546c78;
    static readonly proposalFailed = 0x0f942986;
    static readonly proposalVetoed = 0x1cdd0fa7;
    static readonly proposalCancelled = 0x49055474;
    static readonly proposalExpired = 0x4181be58;
    static readonly imageAdded = 0x4494d3ef;
    static readonly imageRetired = 0x2e201d0b;
    static readonly modelAdded = 0x543ad345;
    static readonly modelRemoved = 0x3e4fae61;
    static readonly paramsChanged = 0x38b84a1a;
    static readonly pauseChanged = 0x7ad0a1e6;
    static readonly governanceOffered = 0x722c9c26;
    static readonly governanceChanged = 0x4a9f5a4c;
}
