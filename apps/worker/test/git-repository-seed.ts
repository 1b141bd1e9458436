// A tenant with one plain-git repository (backed by a GitFixture's bare repository) and a pool for its jobs,
// and the push notification its post-receive hook would send, stored and processed by intake.
import { randomBytes } from "node:crypto";
import { intake, type Database } from "@gantry/db";
import { processDelivery } from "../src/intake/process-delivery";
import type { IntakeDeps } from "../src/intake/process-git-push";

export interface SeededRepository {
  tenantId: string;
  repositoryId: string;
  fullName: string;
}

export async function seedGitRepository(db: Database, seeded: SeededRepository, bareUrl: string): Promise<void> {
  const sys = db.system("test setup");
  const slug = seeded.tenantId.replace(/^ten_/, "");
  await sys.tenant.create({ data: { id: seeded.tenantId, slug, name: slug } });
  await sys.gitSource.create({ data: { id: `${seeded.tenantId}-src`, tenantId: seeded.tenantId, name: "local", url: bareUrl, notifySecretCiphertext: new Uint8Array() } });
  await sys.repository.create({ data: { id: seeded.repositoryId, tenantId: seeded.tenantId, fullName: seeded.fullName, gitSourceId: `${seeded.tenantId}-src` } });
  await sys.runnerPool.create({ data: { id: `${seeded.tenantId}-pool`, tenantId: seeded.tenantId, name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
}

/** The push notification for `ref`, delivered and processed now. */
export async function notifyPush(deps: IntakeDeps, seeded: SeededRepository, ref: string, push: { before: string; after: string }) {
  const { id } = await intake.recordDelivery(deps.db.sql("test"), {
    deliveryId: randomBytes(8).toString("hex"),
    source: "git",
    event: "push",
    tenantId: seeded.tenantId,
    repositoryId: seeded.repositoryId,
    payload: { repository: seeded.fullName, ref, ...push },
  });
  return processDelivery(deps, id);
}
