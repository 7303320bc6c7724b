export * from './keys';
export * from './hpke';
export * from './jobAddress';
export * from './request';
export * from './stream';
export * from './payloads';
