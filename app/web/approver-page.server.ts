import type { Params } from "@remix-run/react";

import { today } from "~/clock.server";
import { quire, type Quire } from "~/context.server";
import type { Permission } from "~/modules/users/permissions";
import { requireUser } from "~/web/auth.server";

/**
 * The preamble of a page where a quality approver signs for a document (periodic review), or one
 * about its withdrawal, shared by its loader and its action: the permission, the document as it stands
 * today, or 404 naming the id.
 */
export async function approverPage<T>(
  request: Request,
  params: Params,
  load: (q: Quire, id: string, on: string) => Promise<T | null>,
  permission: Permission = "document.approve",
) {
  const user = await requireUser(request, permission);
  const q = await quire();
  const id = params.docId ?? "";
  const on = today(q.config);
  const subject = await load(q, id, on);
  if (!subject) throw new Response(`There is no controlled document ${id}.`, { status: 404, statusText: "Not Found" });
  return { user, q, id, on, subject };
}
