import { readFileSync } from 'fs';
import { join } from 'path';

export interface Rfc9180Vector {
    info: string; ikmE: string; pkEm: string; skEm: string; ikmR: string; pkRm: string; skRm: string; enc: string;
    shared_secret: string; key: string; base_nonce: string; exporter_secret: string;
    encryptions: { sequence_number: number; pt: string; aad: string; nonce: string; ct: string }[];
    exports: { exporter_context: string; L: number; exported_value: string }[];
}

export const A21: Rfc9180Vector = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'hpke', 'rfc9180-a2-1.json'), 'utf8'));
export const h = (s: string) => Buffer.from(s, 'hex');
