// The Name and Value fields a secret and a variable both ask for: GitHub's naming rule checked by the browser first
// (the procedures check it again and say which part is wrong), never autocompleted or spell-checked.
export function NameValueFields({ valueRows }: { valueRows: number }) {
  return (
    <>
      <label>
        Name
        <input name="name" required pattern="[A-Za-z_][A-Za-z0-9_]*" autoComplete="off" spellCheck={false} />
      </label>
      <label>
        Value
        <textarea name="value" required rows={valueRows} autoComplete="off" spellCheck={false} />
      </label>
    </>
  );
}
