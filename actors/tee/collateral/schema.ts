import { z } from 'zod';
import { TCB_STATUSES } from '../verify/types';

/**
 * Collateral in the dcap-qvl `QuoteCollateralV3` JSON shape (the format of ../shared/data/tdx): TCB Info
 * and QE Identity as their exact signed JSON strings, signatures as hex r||s, issuer chains as PEM,
 * CRLs as hex DER. Everything here is untrusted until its signature chain verifies.
 */
const hex = (bytes?: number) =>
    z
        .string()
        .regex(/^[0-9a-fA-F]*$/, 'hex string')
        .refine((s) => s.length % 2 === 0 && (bytes === undefined || s.length === bytes * 2), bytes ? `${bytes} bytes of hex` : 'even-length hex');
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'ISO 8601 time');

export const CollateralSchema = z.object({
    tcb_info: z.string().min(2),
    tcb_info_signature: hex(64),
    tcb_info_issuer_chain: z.string().min(1),
    qe_identity: z.string().min(2),
    qe_identity_signature: hex(64),
    qe_identity_issuer_chain: z.string().min(1),
    pck_crl_issuer_chain: z.string().min(1),
    root_ca_crl: hex().refine((s) => s.length > 0, 'non-empty'),
    pck_crl: hex().refine((s) => s.length > 0, 'non-empty'),
});
export type Collateral = z.infer<typeof CollateralSchema>;

const Status = z.enum(TCB_STATUSES);
const Svn = z.object({ svn: z.number().int().min(0).max(255) });

const TcbLevelSchema = z.object({
    tcb: z.object({
        sgxtcbcomponents: z.array(Svn).length(16),
        pcesvn: z.number().int().min(0),
        tdxtcbcomponents: z.array(Svn).length(16).optional(),
    }),
    tcbDate: isoTime,
    tcbStatus: Status,
    advisoryIDs: z.array(z.string()).optional(),
});
export type TcbLevel = z.infer<typeof TcbLevelSchema>;

const IsvLevelSchema = z.object({
    tcb: z.object({ isvsvn: z.number().int().min(0) }),
    tcbDate: isoTime,
    tcbStatus: Status,
    advisoryIDs: z.array(z.string()).optional(),
});
export type IsvLevel = z.infer<typeof IsvLevelSchema>;

const TdxModuleSchema = z.object({ mrsigner: hex(48), attributes: hex(8), attributesMask: hex(8) });

export const TcbInfoSchema = z.object({
    id: z.enum(['TDX', 'SGX']),
    version: z.literal(3),
    issueDate: isoTime,
    nextUpdate: isoTime,
    fmspc: hex(6),
    pceId: hex(2),
    tcbType: z.number().int(),
    tcbEvaluationDataNumber: z.number().int(),
    tdxModule: TdxModuleSchema.optional(),
    tdxModuleIdentities: z.array(TdxModuleSchema.extend({ id: z.string(), tcbLevels: z.array(IsvLevelSchema).min(1) })).optional(),
    tcbLevels: z.array(TcbLevelSchema).min(1),
});
export type TcbInfo = z.infer<typeof TcbInfoSchema>;

export const QeIdentitySchema = z.object({
    id: z.enum(['TD_QE', 'QE', 'QVE']),
    version: z.literal(2),
    issueDate: isoTime,
    nextUpdate: isoTime,
    tcbEvaluationDataNumber: z.number().int(),
    miscselect: hex(4),
    miscselectMask: hex(4),
    attributes: hex(16),
    attributesMask: hex(16),
    mrsigner: hex(32),
    isvprodid: z.number().int(),
    tcbLevels: z.array(IsvLevelSchema).min(1),
});
export type QeIdentity = z.infer<typeof QeIdentitySchema>;

/** Human-readable one-line summary of a zod failure, for verdict reasons. */
export function describeZodError(e: z.ZodError): string {
    return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
