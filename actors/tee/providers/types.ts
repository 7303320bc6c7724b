/** Something that turns 64 bytes of REPORTDATA into a DCAP quote. */
export interface QuoteProvider {
    /** 'tdx': a real TD via configfs-tsm. 'simulated': signed by a local non-Intel root, development only. */
    readonly kind: 'tdx' | 'simulated';
    getQuote(reportData: Uint8Array): Promise<Buffer>;
}

export const REPORT_DATA_LEN = 64;

export function checkReportData(reportData: Uint8Array): void {
    if (reportData.length !== REPORT_DATA_LEN) throw new Error(`REPORTDATA must be exactly ${REPORT_DATA_LEN} bytes, got ${reportData.length}`);
}
