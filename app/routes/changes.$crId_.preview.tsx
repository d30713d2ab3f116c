import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";

import { quire } from "~/context.server";
import { checkDraft, getChangeRequest } from "~/modules/change-control/change-control.server";
import { MAX_DRAFT_BYTES, draftTooLarge } from "~/modules/change-control/change-forms";
import type { Problem } from "~/modules/content/problems";
import { UnsafeContentError } from "~/modules/content/render.server";
import { requireUser } from "~/web/auth.server";

/**
 * The editor's live preview: validates the text being typed (line:column problems) and, when it
 * is valid, renders it. Nothing is saved or cached; saving is the editor's own action.
 */
export async function action({ params, request }: ActionFunctionArgs) {
  await requireUser(request, "document.author");
  const q = await quire();
  const cr = await getChangeRequest(q.db, params.crId ?? "");
  if (!cr) throw new Response(`There is no change request ${params.crId ?? ""}.`, { status: 404, statusText: "Not Found" });
  const source = String((await request.formData()).get("source") ?? "").replace(/\r\n/g, "\n");
  if (draftTooLarge(source)) {
    return json(
      { problems: [{ line: 1, column: 1, rule: "frontmatter", message: `the document is larger than ${MAX_DRAFT_BYTES / 1024} KB` }], html: null },
      { status: 400 },
    );
  }
  const problems = await checkDraft(q, cr, source);
  const shown = (list: readonly Problem[]) => list.map(({ line, column, rule, message }) => ({ line, column, rule, message }));
  if (problems.length > 0) return json({ problems: shown(problems), html: null });
  try {
    return json({ problems: shown(problems), html: (await q.renderer.preview(source)).html });
  } catch (error) {
    // The renderer checks every body itself (issue 9); its refusal is shown like any other problem.
    if (error instanceof UnsafeContentError) return json({ problems: shown(error.problems), html: null }, { status: 422 });
    throw error;
  }
}

export function loader() {
  throw new Response("Send the draft with POST to preview it.", { status: 405, statusText: "Method Not Allowed" });
}
