export { openRepository, GitRepository, GitReadError, ZERO_SHA } from "./git-repository";
