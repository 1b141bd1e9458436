export { default } from "../settings-area-layout";
