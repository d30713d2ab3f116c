import { useEffect, useRef } from "react";

/**
 * A generated one-time password, shown once to the administrator who created or reset the
 * account. Quire keeps only its hash, so this page is the only place it ever appears; focus moves
 * to the heading so a screen reader announces it at once.
 */
export function OneTimePassword({
  heading,
  level = 1,
  username,
  who,
  password,
}: {
  heading: string;
  level?: 1 | 2;
  username: string;
  who: string;
  password: string | null;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const Heading = level === 1 ? "h1" : "h2";
  return (
    <div className="one-time" role="region" aria-labelledby="one-time-heading">
      <Heading id="one-time-heading" ref={ref} tabIndex={-1}>
        {heading}
      </Heading>
      {password ? (
        <>
          <p className="one-time-label">
            One-time password for <strong>{username}</strong>
          </p>
          <output id="one-time-password" className="one-time-password" aria-label={`One-time password for ${username}`}>
            {password}
          </output>
          <ul className="one-time-notes">
            <li>
              <strong>It is shown only this once.</strong> Quire stores only a hash of it; if it is lost, reset the password again.
            </li>
            <li>Give it to {who} in person or over a channel other than the one that carries the user name.</li>
            <li>{who} must replace it with a password of their own at first sign-in; until then Quire opens no other page for them.</li>
          </ul>
        </>
      ) : null}
    </div>
  );
}
