export { runJobAsRunner } from "./simulated-runner";
