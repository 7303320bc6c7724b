export * from './constants';
export * from './errors';
export * from './envelope';
export * from './innerRequest';
export * from './frames';
export * from './attestation';
export * from './client';
