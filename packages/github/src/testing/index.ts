// Test helpers: the fake GitHub REST server and the published webhook examples.
export { FAKE_INSTALLATION_PERMISSIONS, FakeGithub, type FakeCall, type FakeGithubOptions, type FakeGithubUser } from "./fake-github";
export { publishedExamples } from "./examples";
export { ActionsRepositories, type ActionsRepositoriesOptions, type RateIdentity } from "./actions-repositories";
export { FakeGitea } from "./fake-gitea";
