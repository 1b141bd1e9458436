// The runner masks with the protocol's Masker (packages/runner-protocol/src/masker.ts), the same rules the
// control plane applies again on ingest.
export { Masker, MASK } from "@gantry/runner-protocol";
