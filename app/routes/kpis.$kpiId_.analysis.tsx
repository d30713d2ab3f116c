import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";

import { today } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { FormMessage } from "~/components/form";
import { quire } from "~/context.server";
import { KpiAnalysisForm, analysisDueOn } from "~/modules/actions/actions";
import { ActionRefused, possibleOwners } from "~/modules/actions/actions.server";
import { recordKpiAnalysis } from "~/modules/actions/kpi-analysis.server";
import { kpiDefinition } from "~/modules/kpi/definitions.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Cause analysis of a red KPI · Quire" }];

/** Up to this many actions are planned on the form; more can be added in the register afterwards. */
const ACTION_ROWS = 3;

async function definitionOr404(id: string | undefined) {
  const q = await quire();
  const definition = await kpiDefinition(q, id ?? "", today(q.config));
  if (!definition) throw new Response(`No KPI ${id ?? ""} in the catalogue in force today.`, { status: 404 });
  return { q, definition };
}

/** GET /kpis/:kpiId/analysis?period=YYYY-MM: the form for a red month's signed cause analysis (SOP-KP-001, "Act on red KPIs"). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, "actions.manage");
  const { q, definition } = await definitionOr404(params.kpiId);
  const period = new URL(request.url).searchParams.get("period") ?? "";
  return json({
    definition,
    period,
    today: today(q.config),
    owners: await possibleOwners(q.db),
    dueOn: /^\d{4}-\d{2}$/.test(period) ? analysisDueOn(period) : null,
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request, "actions.manage");
  const { q, definition } = await definitionOr404(params.kpiId);
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const parsed = KpiAnalysisForm.safeParse({ period: text("period"), cause: text("cause"), password: String(form.get("password") ?? "") });
  if (!parsed.success) return json({ error: parsed.error.issues.map((i) => i.message).join(" ") }, { status: 400 });
  const planned = Array.from({ length: ACTION_ROWS }, (_, i) => ({ description: text(`action${i}`), owner: text(`owner${i}`), due: text(`due${i}`) })).filter(
    (a) => a.description !== "" || a.owner !== "" || a.due !== "",
  );
  try {
    await recordKpiAnalysis(q, {
      kpi: { id: definition.id, name: definition.name, owner: definition.owner },
      period: parsed.data.period,
      cause: parsed.data.cause,
      actions: planned,
      password: parsed.data.password,
      actor: user,
    });
  } catch (error) {
    if (error instanceof ActionRefused) return json({ error: error.message }, { status: 400 });
    if (error instanceof Response) return json({ error: await error.text() }, { status: error.status });
    throw error;
  }
  return redirect(`/kpis/${definition.id}?period=${parsed.data.period}`);
}

export default function KpiAnalysisPage() {
  const { definition, period, today: on, owners, dueOn } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="kpi-analysis">
      <p className="muted">
        <Link to="/kpis">KPI dashboard</Link> › <Link to={`/kpis/${definition.id}`}>{definition.name}</Link> › Cause analysis
      </p>
      <h1>Cause analysis: {definition.name}</h1>
      <p>
        SOP-KP-001: for every red KPI, the owner records within 10 working days an analysis of the cause and the actions planned.
        {dueOn ? ` This month's analysis is due by ${dueOn}.` : null} You sign it with your password; the actions go into the register.
      </p>
      <Form method="post" className="stacked-form">
        <FormMessage error={result?.error ?? null} />
        <label>
          Red month (YYYY-MM)
          <input name="period" defaultValue={period} required pattern="\d{4}-\d{2}" inputMode="numeric" />
        </label>
        <label>
          Analysis of the cause
          <textarea name="cause" rows={5} required maxLength={4000} />
        </label>
        <fieldset>
          <legend>Actions planned</legend>
          {Array.from({ length: ACTION_ROWS }, (_, i) => (
            <div key={i} className="kpi-planned-action">
              <label>
                Action {i + 1}
                <input name={`action${i}`} maxLength={2000} required={i === 0} />
              </label>
              <label>
                Owner
                <select name={`owner${i}`} defaultValue="">
                  <option value="">Choose…</option>
                  {owners.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.displayName} ({o.username})
                    </option>
                  ))}
                </select>
              </label>
              <label htmlFor={`due${i}`}>
                Due
                <DateInput id={`due${i}`} name={`due${i}`} min={on} />
              </label>
            </div>
          ))}
        </fieldset>
        <label>
          Password (to sign: “I record this analysis of the cause of the red KPI and the actions planned to address it.”)
          <input type="password" name="password" autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign and record
        </button>
      </Form>
    </section>
  );
}
