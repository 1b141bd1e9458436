import { tenantAccess } from "../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../server/caller";
import { CreateTokenForm, RevokeTokenButton } from "./token-forms";
import { tenantTitle } from "../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("API tokens");
export const dynamic = "force-dynamic";

const at = (iso: string | null) => (iso ? `${iso.replace("T", " ").slice(0, 16)} UTC` : "—");

function stateOf(token: { active: boolean; revokedAt: string | null }): string {
  if (token.revokedAt) return `revoked ${at(token.revokedAt)}`;
  return token.active ? "active" : "expired";
}

/** Your personal tokens (for every tenant you are in): scripts and the gantry CLI send them as Bearer tokens. */
export default async function ApiTokensPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  const { session } = await tenantAccess(tenant);
  const tokens = await serverCaller(session).apiTokens.list();
  return (
    <section className="card" data-testid="api-tokens" aria-labelledby="api-tokens-heading">
      <div className="card-head">
        <h2 id="api-tokens-heading">API tokens</h2>
      </div>
      <p className="muted small">
        A token acts as you, in every tenant you belong to, limited by its scopes: send it as <code>Authorization: Bearer gat_…</code> to the API, or
        log the <code>gantry</code> CLI in with it (<code>gantry login --url … --token …</code>). It is shown once and stored only as a hash.
      </p>
      {tokens.length === 0 ? (
        <p className="muted" data-testid="no-tokens">
          No API tokens yet. Make one below for a script or the CLI.
        </p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Your API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id} data-testid={`token-${token.id}`}>
                <td>{token.name}</td>
                <td>
                  <code>{token.scopes.join(", ")}</code>
                </td>
                <td className="muted small">{at(token.createdAt)}</td>
                <td className="muted small">{token.expiresAt ? at(token.expiresAt) : "never"}</td>
                <td className="muted small">{token.lastUsedAt ? at(token.lastUsedAt) : "never"}</td>
                <td className="small">{stateOf(token)}</td>
                <td>{token.active && <RevokeTokenButton tenant={tenant} id={token.id} name={token.name} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Make a token</h3>
      <CreateTokenForm tenant={tenant} />
    </section>
  );
}
