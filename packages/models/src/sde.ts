// The SDEs live in core-math beside their WASM twin (assembly/sde.ts); re-exported here for models' samplers and users.
export { sdeOf, type Sde } from '@scorefield/core-math';
