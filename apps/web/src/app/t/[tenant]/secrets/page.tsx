import Link from "next/link";
import { tenantAccess } from "../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../server/caller";
import { TRPCError } from "@trpc/server";
import { DeleteSecretButton, SetSecretForm } from "./secret-forms";
import { VariablesSection } from "./variables-section";
import { tenantTitle } from "../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("Secrets and variables");
export const dynamic = "force-dynamic";

function SecretList({
  tenant,
  repository,
  secrets,
  canManage,
}: {
  tenant: string;
  repository: string;
  secrets: { name: string; updatedAt: string }[];
  canManage: boolean;
}) {
  if (secrets.length === 0) return <p className="muted small">None.</p>;
  return (
    <table className="table">
      <tbody>
        {secrets.map((secret) => (
          <tr key={secret.name} data-testid={`secret-${repository || "tenant"}-${secret.name}`}>
            <td>
              <code>{secret.name}</code>
            </td>
            <td className="muted small">
              updated {new Date(secret.updatedAt).toISOString().replace("T", " ").slice(0, 16)} UTC
            </td>
            <td>
              {canManage && <DeleteSecretButton tenant={tenant} repository={repository} name={secret.name} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Names only: values go in through the form and never come out (docs/secrets.md). */
export default async function SecretsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { session } = await tenantAccess(tenant);
  const caller = serverCaller(session);
  const variables = await caller.variables.overview({ tenant });
  // Secret names are for developers and above; a viewer still sees the variables.
  const overview = await caller.secrets.overview({ tenant }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") return null;
    throw error;
  });
  return (
    <>
      {overview ? (
        <SecretsSection tenant={tenant} overview={overview} />
      ) : (
        <section className="card" data-testid="secrets">
          <h2>Secrets</h2>
          <p className="muted small">
            Developers and above see which secrets exist; ask an admin of this tenant for more access.
          </p>
        </section>
      )}
      <VariablesSection tenant={tenant} overview={variables} />
    </>
  );
}

function SecretsSection({
  tenant,
  overview,
}: {
  tenant: string;
  overview: Awaited<ReturnType<ReturnType<typeof serverCaller>["secrets"]["overview"]>>;
}) {
  return (
    <section className="card" data-testid="secrets">
      <div className="card-head">
        <h2>Secrets</h2>
        <Link href={`/t/${tenant}`} className="small">
          ← all runs
        </Link>
      </div>
      <p className="muted small">
        Jobs read them as <code>{"${{ secrets.NAME }}"}</code>: a job gets only the ones it names, a
        repository&apos;s value wins over the tenant&apos;s, and pull requests from forks get none. Values are
        encrypted at rest and masked in logs.
      </p>
      {!overview.configured && (
        <p className="error small">Secrets need GANTRY_MASTER_KEY on the control plane.</p>
      )}
      <h3>Every repository</h3>
      <SecretList tenant={tenant} repository="" secrets={overview.tenant} canManage={overview.canManage} />
      {overview.repositories.map((entry) => (
        <div key={entry.repository}>
          <h3>{entry.repository}</h3>
          <SecretList
            tenant={tenant}
            repository={entry.repository}
            secrets={entry.secrets}
            canManage={overview.canManage}
          />
        </div>
      ))}
      {overview.canManage && overview.configured && (
        <>
          <h3>Add or replace a secret</h3>
          <SetSecretForm
            tenant={tenant}
            repositories={overview.repositories.map((entry) => entry.repository)}
          />
        </>
      )}
    </section>
  );
}
