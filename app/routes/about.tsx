import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";

import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "About · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "document.read");
  return null;
}

/** A static page for signed-in users; the benchmark uses it as the app's trivial-page baseline. */
export default function About() {
  return (
    <section className="prose">
      <h1>About Quire</h1>
      <p>
        Quire is a document-centric quality system for clinical research. Controlled documents are MDX files in a git repository; every approved version is a
        tagged commit, and what was effective on any day can be shown from the records alone.
      </p>
    </section>
  );
}
