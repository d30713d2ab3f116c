import { createContext, useContext, type ComponentProps, type ReactNode } from "react";

import {
  approvalRouteText,
  daysText,
  documentTypeLabel,
  reviewerFinalApprovalText,
  reviewersIncludeText,
  workingDaysText,
} from "~/modules/change-control/rules-text";
import { isSafeUrl } from "~/modules/content/safe-url";
import { SOURCE_LABELS, formatTarget, formatTolerance, type KpiDirection, type KpiSource, type KpiUnit } from "~/modules/kpi/kpi";

/** Names of job functions by id, so documents can say `role="cra"` and readers see the title. */
export const JobFunctionNames = createContext<ReadonlyMap<string, string>>(new Map());

function useJobFunctionName(id: string): string {
  return useContext(JobFunctionNames).get(id) ?? id;
}

const CALLOUT_LABELS: Record<string, string> = { note: "Note", warning: "Warning", regulatory: "Regulatory requirement" };

function Callout({ kind, title, children }: { kind: string; title?: string; children?: ReactNode }) {
  return (
    <aside className={`callout callout-${kind}`} role="note">
      <p className="callout-title">{title ?? CALLOUT_LABELS[kind] ?? kind}</p>
      {children}
    </aside>
  );
}

function Steps({ children }: { children?: ReactNode }) {
  return <ol className="steps">{children}</ol>;
}

function Step({ title, owner, children }: { title: string; owner?: string; children?: ReactNode }) {
  const ownerName = useJobFunctionName(owner ?? "");
  return (
    <li className="step">
      <p className="step-title">
        <strong>{title}</strong>
        {owner ? <span className="step-owner">{ownerName}</span> : null}
      </p>
      {children}
    </li>
  );
}

function Responsibilities({ children }: { children?: ReactNode }) {
  return <dl className="responsibilities">{children}</dl>;
}

function Responsibility({ role, children }: { role: string; children?: ReactNode }) {
  return (
    <div className="responsibility">
      <dt>{useJobFunctionName(role)}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Definition({ term, children }: { term: string; children?: ReactNode }) {
  return (
    <dl className="definition">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </dl>
  );
}

/** A table scrolls sideways inside its own box, so a wide one never widens the page on a phone (issue 13). */
function ScrollingTable(props: ComponentProps<"table">) {
  return (
    <div className="table-scroll">
      <table {...props} />
    </div>
  );
}

function RecordsTable({ children }: { children?: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className="records-table">
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">Retention</th>
            <th scope="col">Location</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function Record({ name, retention, location, children }: { name: string; retention: string; location?: string; children?: ReactNode }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>{retention}</td>
      <td>{location ?? ""}</td>
      <td>{children}</td>
    </tr>
  );
}

/** A procedure's KPIs (SOP-KP-001): each row is one entry of the KPI catalogue, defined here. */
function KpiTable({ children }: { children?: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className="kpi-table">
        <thead>
          <tr>
            <th scope="col">KPI</th>
            <th scope="col">Definition and formula</th>
            <th scope="col">Target</th>
            <th scope="col">Data, frequency and owner</th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

interface KpiProps {
  id: string;
  name: string;
  unit: string;
  direction: string;
  target: string;
  tolerance: string;
  frequency: string;
  source: string;
  aggregation: string;
  owner: string;
  dataSource: string;
  formula: string;
  children?: ReactNode;
}

function Kpi({ id, name, unit, direction, target, tolerance, frequency, source, owner, dataSource, formula, children }: KpiProps) {
  const ownerName = useJobFunctionName(owner);
  const def = { unit: unit as KpiUnit, direction: direction as KpiDirection, target: Number(target), tolerance: Number(tolerance) };
  return (
    <tr id={`kpi-${id}`}>
      <th scope="row">
        {name}
        <br />
        <code className="kpi-id">{id}</code>
      </th>
      <td>
        {children}
        <p className="kpi-formula">Formula: {formula}</p>
      </td>
      <td>
        {formatTarget(def)}; {formatTolerance(def)}
      </td>
      <td>
        {SOURCE_LABELS[source as KpiSource] ?? source}: {dataSource}. {frequency[0]?.toUpperCase()}
        {frequency.slice(1)}. Owner: {ownerName}.
      </td>
    </tr>
  );
}

/**
 * Document control's approval routing, stated in SOP-DC-001 (decision 017): the table a reader sees
 * is the route Quire enforces.
 */
function ApprovalRoutes({ children }: { children?: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className="approval-routes">
        <thead>
          <tr>
            <th scope="col">Document type</th>
            <th scope="col">Approved by (in order)</th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function ApprovalRoute({ type, signers }: { type: string; signers: string }) {
  const names = useContext(JobFunctionNames);
  return (
    <tr data-route-type={type}>
      <th scope="row">{documentTypeLabel(type)}</th>
      <td>{approvalRouteText(signers, (id) => names.get(id) ?? id)}</td>
    </tr>
  );
}

/** A rule's value inside the sentence that states it (SOP-DC-001), marked so a reader sees what is enforced. */
function ReviewersInclude({ jobFunction }: { jobFunction: string }) {
  const names = useContext(JobFunctionNames);
  return <strong className="control-rule">{reviewersIncludeText(jobFunction, (id) => names.get(id) ?? id)}</strong>;
}

function ReviewerFinalApproval({ allowed }: { allowed: string }) {
  return <span className="control-rule">{reviewerFinalApprovalText(allowed)}</span>;
}

function MinimumTrainingPeriod({ workingDays }: { workingDays: string }) {
  return <strong className="control-rule">{workingDaysText(workingDays)}</strong>;
}

function PeriodicReviewNotice({ days }: { days: string }) {
  return <strong className="control-rule">{daysText(days)}</strong>;
}

function DocRef({ id }: { id: string }) {
  return (
    <a className="docref" href={`/documents/${id}`}>
      {id}
    </a>
  );
}

/** The single map of components a controlled document may use (see app/modules/content/components.ts). */
/**
 * Links and images as MDX renders them, with the URL checked again at render time: the validator
 * refuses unsafe links, and this keeps one out of the page even if it slipped past.
 */
function SafeLink({ href, children, ...rest }: ComponentProps<"a">) {
  return (
    <a href={href !== undefined && isSafeUrl(href) ? href : undefined} {...rest}>
      {children}
    </a>
  );
}

function SafeImage({ src, alt, ...rest }: ComponentProps<"img">) {
  return <img src={src !== undefined && isSafeUrl(src) ? src : undefined} alt={alt ?? ""} {...rest} />;
}

export const mdxComponents = {
  a: SafeLink,
  img: SafeImage,
  table: ScrollingTable,
  Callout,
  Steps,
  Step,
  Responsibilities,
  Responsibility,
  Definition,
  RecordsTable,
  Record,
  KpiTable,
  Kpi,
  ApprovalRoutes,
  ApprovalRoute,
  ReviewersInclude,
  ReviewerFinalApproval,
  MinimumTrainingPeriod,
  PeriodicReviewNotice,
  DocRef,
};
