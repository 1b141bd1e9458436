// The service proxy of one assignment: started when the job has a runtime token (the actions services) or a
// GITHUB_TOKEN with a GitHub API to call, before its sandbox is prepared; the sandbox's serviceUrl becomes the base
// the services build URLs from; closed (socket removed) when the job ends.
import type { Assignment } from "@gantry/runner-protocol";
import { startServiceProxy, type ServiceProxy } from "./service-proxy";

export interface JobServiceProxyOptions {
  /** The control plane as the runner reaches it (GANTRY_URL). */
  controlPlaneUrl: string;
  /** Folder the sockets' folders are made in (default: the OS temp folder). */
  parentDir?: string;
}

/** The job's proxy, or undefined when it has nothing to reach through one. */
export async function jobServiceProxy(assignment: Assignment, options: JobServiceProxyOptions | undefined): Promise<ServiceProxy | undefined> {
  if (!options) return undefined;
  const { runtimeToken } = assignment;
  const { githubToken, apiUrl } = assignment.run;
  if (!runtimeToken && !(githubToken && apiUrl)) return undefined;
  return startServiceProxy({
    controlPlaneUrl: options.controlPlaneUrl,
    runtimeToken,
    githubApiUrl: apiUrl || undefined,
    githubToken,
    ...(options.parentDir !== undefined ? { parentDir: options.parentDir } : {}),
  });
}
