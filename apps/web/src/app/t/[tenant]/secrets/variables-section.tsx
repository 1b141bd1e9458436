// The variables half of the secrets page: every scope's variables with their values (they are not secret), and for
// maintainers the forms to change them (docs/variables.md).
import type { PageCaller } from "../call-from-page";
import { DeleteVariableButton, SetVariableForm, type VariableScopeChoice } from "./variable-forms";

type Overview = Awaited<ReturnType<PageCaller["variables"]["overview"]>>;
type Listed = Overview["tenant"];

function VariableList({ tenant, scope, variables, canManage, testid }: { tenant: string; scope: string; variables: Listed; canManage: boolean; testid: string }) {
  if (variables.length === 0) return <p className="muted small">None.</p>;
  return (
    <table className="table">
      <tbody>
        {variables.map((variable) => (
          <tr key={variable.name} data-testid={`variable-${testid}-${variable.name}`}>
            <td>
              <code>{variable.name}</code>
            </td>
            <td>
              <code>{variable.value}</code>
            </td>
            <td>{canManage && <DeleteVariableButton tenant={tenant} scope={scope} name={variable.name} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function VariablesSection({ tenant, overview }: { tenant: string; overview: Overview }) {
  const tenantScope = JSON.stringify({ kind: "tenant" });
  const choices: VariableScopeChoice[] = [{ label: "Every repository of this tenant", scope: tenantScope }];
  for (const entry of overview.repositories) {
    choices.push({ label: entry.repository, scope: JSON.stringify({ kind: "repository", repository: entry.repository }) });
    for (const environment of entry.environments) choices.push({ label: `${entry.repository} · environment ${environment.environment}`, scope: JSON.stringify({ kind: "environment", repository: entry.repository, environment: environment.environment }) });
  }
  return (
    <section className="card" data-testid="variables">
      <h2>Variables</h2>
      <p className="muted small">
        Jobs read them as <code>{"${{ vars.NAME }}"}</code>, in steps and in a job&apos;s <code>if:</code>, <code>runs-on</code> and <code>environment</code>. An
        environment&apos;s value wins over its repository&apos;s, which wins over the tenant&apos;s. They are not secret: every member sees them; maintainers change
        them.
      </p>
      <h3>Every repository</h3>
      <VariableList tenant={tenant} scope={tenantScope} variables={overview.tenant} canManage={overview.canManage} testid="tenant" />
      {overview.repositories.map((entry) => (
        <div key={entry.repository}>
          <h3>{entry.repository}</h3>
          <VariableList tenant={tenant} scope={JSON.stringify({ kind: "repository", repository: entry.repository })} variables={entry.variables} canManage={overview.canManage} testid={entry.repository} />
          {entry.environments.map((environment) => (
            <div key={environment.environment}>
              <h4>Environment {environment.environment}</h4>
              <VariableList
                tenant={tenant}
                scope={JSON.stringify({ kind: "environment", repository: entry.repository, environment: environment.environment })}
                variables={environment.variables}
                canManage={overview.canManage}
                testid={`${entry.repository}-${environment.environment}`}
              />
            </div>
          ))}
        </div>
      ))}
      {overview.canManage ? (
        <>
          <h3>Add or change a variable</h3>
          <SetVariableForm tenant={tenant} scopes={choices} />
        </>
      ) : null}
    </section>
  );
}
