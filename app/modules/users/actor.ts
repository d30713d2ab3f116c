/** Who is acting, for the audit trail. */
export interface Actor {
  userId: string | null;
  username: string | null;
  clientAddress: string | null;
}

/** Quire itself (init, start-up checks, scheduled runs). */
export const SYSTEM_ACTOR: Actor = { userId: null, username: "system", clientAddress: null };
