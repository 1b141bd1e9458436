import type { Metadata } from "next";

// Each settings page's title says it is one: "Runner pools · Settings · Gantry".
export const metadata: Metadata = { title: { template: "%s · Settings · Gantry", default: "Settings · Gantry" } };

export { default } from "../settings-area-layout";
