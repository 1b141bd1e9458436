// The executor's side of the service proxy on real bwrap sandboxes: a job with a runtime token gets a proxy whose
// socket its sandbox is prepared with, a step reaches the (stub) control plane through Sandbox.serviceUrl under
// egress none, and the socket is gone when the job ends; a job with no token gets no proxy.
import { existsSync } from "node:fs";
import { SERVICE_BASE_HEADER } from "@gantry/runner-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BwrapProvider } from "../src/sandbox/bwrap-provider";
import type { Sandbox, SandboxProvider, SandboxSpec } from "../src/sandbox/types";
import { warmQuotaVolumes } from "../src/sandbox/warm-volumes";
import { sandboxExecutor } from "../src/sandbox-executor";
import { assignment, onlyHost, recorder } from "./executor-fixtures";
import { stubServer } from "./sandbox/service-suite";

const bwrap = new BwrapProvider();
afterAll(() => warmQuotaVolumes.close());
const probe = await bwrap.probe();
if (!probe.available) console.warn(`sandbox executor service tests skipped: ${probe.detail}`);

/** `provider`, recording each spec and handing steps the sandbox's serviceUrl as SERVICE_URL. */
function recording(provider: SandboxProvider): { provider: SandboxProvider; specs: SandboxSpec[]; urls: (string | undefined)[] } {
  const specs: SandboxSpec[] = [];
  const urls: (string | undefined)[] = [];
  return {
    specs,
    urls,
    provider: {
      name: provider.name,
      probe: () => provider.probe(),
      async prepare(spec) {
        specs.push(spec);
        const s = await provider.prepare(spec);
        urls.push(s.serviceUrl);
        const wrapped: Sandbox = {
          provider: s.provider,
          paths: s.paths,
          hostPaths: s.hostPaths,
          enforced: s.enforced,
          baseEnv: { ...s.baseEnv, SERVICE_URL: s.serviceUrl ?? "" },
          ...(s.serviceUrl !== undefined ? { serviceUrl: s.serviceUrl } : {}),
          exec: (request) => s.exec(request),
          limitEvents: () => s.limitEvents(),
          destroy: () => s.destroy(),
        };
        return wrapped;
      },
    },
  };
}

const never = () => new AbortController().signal;

describe.skipIf(!probe.available)("the sandbox executor's service proxy on bwrap", () => {
  let controlPlane: Awaited<ReturnType<typeof stubServer>>;
  beforeAll(async () => {
    controlPlane = await stubServer("control-plane");
  });
  afterAll(() => controlPlane.close());

  it("starts a proxy for a job with a runtime token, reachable from its steps, and removes it at the end", { timeout: 30_000 }, async () => {
    const { provider, specs, urls } = recording(bwrap);
    const { reporter, text } = recorder();
    const job = assignment([{ run: `curl -sS -f -H "Authorization: Bearer $TOKEN" "$SERVICE_URL/api/actions/from-step"` }], { trusted: false });
    job.runtimeToken = "runtime-token-of-this-job";
    job.job.env = { TOKEN: job.runtimeToken };
    const executor = sandboxExecutor({ provider, host: onlyHost(provider), egress: "none", reporter: () => reporter, log: () => undefined, serviceProxy: { controlPlaneUrl: controlPlane.url } });
    const outcome = await executor(job, never(), never());
    expect(outcome.conclusion, text()).toBe("SUCCEEDED");
    const socket = specs[0]?.serviceSocket;
    expect(socket).toBeDefined();
    expect(existsSync(socket ?? "/")).toBe(false);
    const request = controlPlane.requests.find((r) => r.path === "/api/actions/from-step");
    expect(request?.headers[SERVICE_BASE_HEADER]).toBe(urls[0]);
    expect(text()).toContain('"server":"control-plane"');
  });

  it("starts no proxy for a job with neither a runtime token nor a GITHUB_TOKEN", { timeout: 30_000 }, async () => {
    const { provider, specs, urls } = recording(bwrap);
    const { reporter } = recorder();
    const executor = sandboxExecutor({ provider, host: onlyHost(provider), egress: "none", reporter: () => reporter, log: () => undefined, serviceProxy: { controlPlaneUrl: controlPlane.url } });
    const outcome = await executor(assignment([{ run: "true" }]), never(), never());
    expect(outcome.conclusion).toBe("SUCCEEDED");
    expect(specs[0]?.serviceSocket).toBeUndefined();
    expect(urls[0]).toBeUndefined();
  });
});
