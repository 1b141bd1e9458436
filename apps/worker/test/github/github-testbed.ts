// What the worker's GitHub tests start from: a fresh database with one App installation (its tenant, one
// repository, the default runner pool), the fake GitHub serving that installation, and a client for it.
import { createPrivateKey } from "node:crypto";
export { until } from "@gantry/testing";
import { openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { InstallationTokens, syncInstallation } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import type { GithubIntake } from "../../src/intake/github/types";

export interface GithubTestbed {
  testDb: TestDatabase;
  db: Database;
  fake: FakeGithub;
  github: GithubIntake;
  tenantId: string;
  close(): Promise<void>;
}

export async function githubTestbed(repository: { installation: number; id: number; fullName: string }): Promise<GithubTestbed> {
  const testDb = await createTestDatabase();
  const db = openDatabase(testDb.url);
  const fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(repository.installation);
  fake.addRepository(repository.fullName, repository.installation, repository.id);
  const [login = "octo", name = "app"] = repository.fullName.split("/");
  const synced = await syncInstallation(db, {
    name: "installation",
    payload: { action: "created", installation: { id: repository.installation, account: { id: repository.installation, login, type: "Organization" } }, repositories: [{ id: repository.id, name, full_name: repository.fullName, private: true }] },
  });
  await db.system("test setup").runnerPool.create({ data: { id: "pool", tenantId: synced.tenantId ?? "", name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
  const github: GithubIntake = { apiUrl: fake.url, tokens: new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url }) };
  return {
    testDb,
    db,
    fake,
    github,
    tenantId: synced.tenantId ?? "",
    async close() {
      await fake.stop();
      await db.close();
      await testDb.drop();
    },
  };
}

