import { describe, expect, it } from "vitest";
import { secretReferences } from "../src/index";

describe("secretReferences", () => {
  it("finds the secrets a job names in expressions, upper-cased, and nothing in plain text", () => {
    const job = {
      env: { TOKEN: "${{ secrets.deploy_token }}" },
      steps: [
        { if: "success() && secrets['NPM_TOKEN'] != ''", run: "echo no secrets here; echo ${{ secrets.Other }}", env: {}, with: { key: "${{ format('{0}', secrets.THIRD) }}" } },
        { if: "success()", run: "echo '${{ github.sha }}'", env: {}, with: {} },
      ],
    };
    expect(secretReferences(job)).toEqual({ names: ["DEPLOY_TOKEN", "NPM_TOKEN", "OTHER", "THIRD"], all: false });
  });

  it("asks for all when the context is used as a whole or with a computed key", () => {
    expect(secretReferences({ steps: [{ run: "echo '${{ toJSON(secrets) }}'" }] })).toEqual({ names: [], all: true });
    expect(secretReferences({ steps: [{ env: { V: "${{ secrets[matrix.name] }}" } }] })).toEqual({ names: [], all: true });
    expect(secretReferences({ steps: [{ run: "echo hi" }] })).toEqual({ names: [], all: false });
  });
});
