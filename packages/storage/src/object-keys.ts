// Where each kind of object lives in the store. Artifact, cache and remote-action archives share one content-addressed
// space per tenant, so two rows may name one object: it goes only when no row names it (retention in apps/worker).
// An action's archive is found by tenant, repository and commit sha through its ActionArchive row, which holds the
// sha-256 (the key below) it was first downloaded with: the signed object URLs serve it like any archive.

/** Content-addressed, per tenant (a tenant never learns whether another holds the same bytes). */
export const contentObjectKey = (tenantId: string, sha256: string) => `cas/${tenantId}/${sha256.slice(0, 2)}/${sha256}.tar.gz`;

/** The prefix under which every content-addressed archive lives. */
export const CONTENT_PREFIX = "cas";
