"use client";
// One workflow's "Run workflow" form: a field per declared input (checkbox, select, number, text), defaults
// prefilled, the ref, and each refusal shown next to its field.
import { useActionState } from "react";
import type { DispatchInputDeclaration } from "@gantry/workflow-schema";
import { dispatchFromPage, type DispatchFormState } from "./dispatch-actions";

export interface DispatchFormProps {
  tenant: string;
  repositoryId: string;
  workflowPath: string;
  defaultBranch: string;
  inputs: DispatchInputDeclaration[];
  environments: string[];
  idempotencyKey: string;
}

function InputField({ input, environments }: { input: DispatchInputDeclaration; environments: string[] }) {
  const name = `input:${input.name}`;
  const fallback = input.default === undefined || input.default === null ? "" : String(input.default);
  if (input.type === "boolean") {
    return (
      <>
        <input type="hidden" name={`input-bool:${input.name}`} value="1" />
        <input type="checkbox" name={name} defaultChecked={fallback === "true"} />
      </>
    );
  }
  if (input.type === "choice" || input.type === "environment") {
    const options = input.type === "choice" ? (input.options ?? []) : environments;
    return (
      <select name={name} defaultValue={fallback}>
        {!input.required || fallback === "" ? <option value="">—</option> : null}
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  }
  return <input type={input.type === "number" ? "number" : "text"} step={input.type === "number" ? "any" : undefined} name={name} defaultValue={fallback} />;
}

export function DispatchForm(props: DispatchFormProps) {
  const initial: DispatchFormState = { error: null, fields: {}, idempotencyKey: props.idempotencyKey };
  const [state, action, pending] = useActionState(dispatchFromPage, initial);
  return (
    <form action={action} className="dispatch-form" data-testid={`dispatch-${props.workflowPath}`}>
      <input type="hidden" name="tenant" value={props.tenant} />
      <input type="hidden" name="repositoryId" value={props.repositoryId} />
      <input type="hidden" name="workflowPath" value={props.workflowPath} />
      <input type="hidden" name="idempotencyKey" value={state.idempotencyKey} />
      <label>
        Branch or tag <input type="text" name="ref" placeholder={props.defaultBranch} defaultValue="" />
      </label>
      {props.inputs.map((input) => (
        <label key={input.name} data-testid={`input-${input.name}`}>
          {input.name}
          {input.required ? " *" : ""} <InputField input={input} environments={props.environments} />
          {state.fields[input.name] && (
            <span className="error small" role="alert">
              {state.fields[input.name]}
            </span>
          )}
        </label>
      ))}
      <button type="submit" disabled={pending}>
        {pending ? "Starting…" : "Run workflow"}
      </button>
      {state.error && (
        <span className="error small" role="alert">
          {state.error}
        </span>
      )}
    </form>
  );
}
