"use client";
// One workflow's "Run workflow" form: a labelled field per declared input (checkbox, select, number, text) with its
// description under it, defaults prefilled, the ref, and each refusal shown under its field the way the settings
// forms show theirs (aria-invalid, described by the message). After a refusal the fields show what was typed, and
// the first field in trouble gets the focus.
import { useActionState, useEffect, useId, useRef } from "react";
import type { DispatchInputDeclaration } from "@gantry/workflow-schema";
import { CheckboxField, FormOutcome, SelectField, TextField } from "../../../../components/form-field";
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

/** What the field shows: what was submitted before a refusal, else the declared default. */
function shownValue(input: DispatchInputDeclaration, submitted: DispatchFormState["submitted"]): string | boolean {
  const typed = submitted?.inputs[input.name];
  if (typed !== undefined) return typed;
  if (input.type === "boolean") return input.default === true || input.default === "true";
  return input.default === undefined || input.default === null ? "" : String(input.default);
}

function InputField({ input, environments, error, value, idPrefix }: { input: DispatchInputDeclaration; environments: string[]; error: string | undefined; value: string | boolean; idPrefix: string }) {
  const name = `input:${input.name}`;
  const label = `${input.name}${input.required ? " (required)" : ""}`;
  const common = { label, name, error, hint: input.description, idPrefix };
  if (input.type === "boolean") {
    return (
      <>
        <input type="hidden" name={`input-bool:${input.name}`} value="1" />
        <CheckboxField {...common} value="true" defaultChecked={value === true} />
      </>
    );
  }
  if (input.type === "choice" || input.type === "environment") {
    const values = input.type === "choice" ? (input.options ?? []) : environments;
    const text = String(value);
    const options = [...(!input.required || text === "" ? [{ value: "", label: "—" }] : []), ...values.map((option) => ({ value: option, label: option }))];
    return <SelectField {...common} options={options} defaultValue={text} required={input.required} />;
  }
  return <TextField {...common} type={input.type === "number" ? "number" : "text"} step={input.type === "number" ? "any" : undefined} defaultValue={String(value)} required={input.required} />;
}

export function DispatchForm(props: DispatchFormProps) {
  const initial: DispatchFormState = { error: null, fields: {}, idempotencyKey: props.idempotencyKey, submitted: null, refusals: 0 };
  const [state, action, pending] = useActionState(dispatchFromPage, initial);
  const idPrefix = `${useId().replace(/[^A-Za-z0-9_-]/g, "")}-`;
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.refusals === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [state.refusals]);
  return (
    // noValidate: the server's refusal, at its field, is the one message (a browser bubble would pre-empt it).
    <form ref={formRef} action={action} className="dispatch-form" data-testid={`dispatch-${props.workflowPath}`} noValidate>
      <input type="hidden" name="tenant" value={props.tenant} />
      <input type="hidden" name="repositoryId" value={props.repositoryId} />
      <input type="hidden" name="workflowPath" value={props.workflowPath} />
      <input type="hidden" name="idempotencyKey" value={state.idempotencyKey} />
      {/* Rendered afresh after each refusal: uncontrolled fields take what was submitted as their defaults. */}
      <fieldset key={state.refusals} className="dispatch-fields">
        <legend className="visually-hidden">Inputs of {props.workflowPath}</legend>
        <TextField label="Branch or tag" name="ref" idPrefix={idPrefix} placeholder={props.defaultBranch} defaultValue={state.submitted?.ref ?? ""} error={state.fields.ref} hint={`Default: ${props.defaultBranch}`} />
        {props.inputs.map((input) => (
          <div key={input.name} data-testid={`input-${input.name}`}>
            <InputField input={input} environments={props.environments} error={state.fields[input.name]} value={shownValue(input, state.submitted)} idPrefix={idPrefix} />
          </div>
        ))}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? "Starting…" : "Run workflow"}
        </button>
        <FormOutcome state={state.error ? { ok: false, message: state.error } : null} />
      </div>
    </form>
  );
}
