// Who reads the register of actions and CAPAs: those who read KPIs (kpi.read: the dashboard's
// readers, inspectors) and those who manage actions (actions.manage). Part 11 §11.10(d), (g).
import { type CurrentUser } from "~/modules/users/auth.server";
import { requireUser } from "~/web/auth.server";

/** The signed-in person, when they may read the register; else the 403 naming the permissions. */
export async function requireActionsReader(request: Request): Promise<CurrentUser> {
  const user = await requireUser(request);
  if (!user.permissions.includes("kpi.read") && !user.permissions.includes("actions.manage")) {
    throw new Response("You do not have the permission kpi.read or actions.manage needed to read the register of actions and CAPAs.", {
      status: 403,
      statusText: "Forbidden",
    });
  }
  return user;
}
