// A step's GITHUB_STEP_SUMMARY as GitHub shows it: GitHub-flavoured Markdown (tables, code, task lists) with the HTML
// GitHub allows (rehype-raw, then rehype-sanitize's GitHub-derived schema drops scripts, event handlers, styles and
// javascript: links). Images are never loaded: a job wrote this, and an image URL would tell its host who opened the
// page, and when; the image's alt text is shown instead. Rendered on the server, no client code.
import type { ComponentProps } from "react";
import Markdown from "react-markdown";
import rehypeRaw from "rehype-raw";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import remarkGfm from "remark-gfm";

const schema = {
  ...defaultSchema,
  // GitHub's own summaries use <details> to fold long parts; the default schema already keeps it and tables.
  attributes: { ...defaultSchema.attributes, img: ["alt"] },
};

function RefusedImage({ alt }: ComponentProps<"img">) {
  return (
    <span className="refused-image" data-testid="refused-image">
      image not shown{typeof alt === "string" && alt !== "" ? `: ${alt}` : ""}
    </span>
  );
}

function SummaryLink({ href, children }: ComponentProps<"a">) {
  return (
    <a href={href} rel="nofollow noopener noreferrer">
      {children}
    </a>
  );
}

export function StepSummary({ markdown }: { markdown: string }) {
  return (
    <div className="markdown" data-testid="step-summary">
      <Markdown remarkPlugins={[remarkGfm]} rehypePlugins={[rehypeRaw, [rehypeSanitize, schema]]} components={{ img: RefusedImage, a: SummaryLink }}>
        {markdown}
      </Markdown>
    </div>
  );
}
