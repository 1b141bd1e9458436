// A tenant page's title, given only to someone who may see the page: its generateMetadata checks access first, so a
// signed-out visitor is sent to sign in and a non-member gets the 404 page's title ("Not found") with its body, rather
// than the title of a page they cannot see. (The tenant layout cannot do this for its pages: a layout's metadata
// that throws leaves the 404 page with no title at all.)
import type { Metadata } from "next";
import { tenantAccess } from "./tenant-access";

export function tenantTitle(title: NonNullable<Metadata["title"]>) {
  return async ({ params }: { params: Promise<{ tenant: string }> }): Promise<Metadata> => {
    await tenantAccess((await params).tenant);
    return { title };
  };
}
