/** The raw functions the WASM module exports (pointers are byte addresses, sizes are element counts). */
export type { CoreExports } from './generated/contract.js';
