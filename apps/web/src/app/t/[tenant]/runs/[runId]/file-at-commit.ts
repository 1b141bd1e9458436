// Where a repository file at a commit can be read: GitHub's `<repository page>/blob/<sha>/<path>#L<line>` (the
// repository page is the event's html_url, so GitHub Enterprise works too). null: the repository has no web page
// (a plain git repository); the page then names the file and line without a link.
export function fileAtCommitUrl(repositoryUrl: string | null, sha: string, file: string, line?: number): string | null {
  if (repositoryUrl === null) return null;
  const path = file.split("/").map(encodeURIComponent).join("/");
  return `${repositoryUrl}/blob/${sha}/${path}${line ? `#L${line}` : ""}`;
}
