import { ChoiceList, Field } from "~/components/form";
import { ROLES, ROLE_NAMES } from "~/modules/users/permissions";

export interface UserFieldValues {
  displayName: string;
  email: string;
  roles: readonly string[];
  jobFunctions: readonly string[];
  reason: string;
}

const ROLE_CHOICES = ROLE_NAMES.map((r) => ({ value: r, label: ROLES[r].label, description: ROLES[r].description }));

function describedBy(name: string, errors: Record<string, string>, hint = false): string | undefined {
  const ids = [hint ? `${name}-hint` : null, errors[name] ? `${name}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** The fields an administrator sets for an account, on the create and the edit form alike. */
export function UserFields({
  values,
  errors,
  jobFunctions,
  reasonLabel,
  reasonHint,
}: {
  values: UserFieldValues;
  errors: Record<string, string>;
  jobFunctions: readonly { id: string; name: string }[];
  reasonLabel: string;
  reasonHint: string;
}) {
  return (
    <>
      <div className="field-row">
        <Field label="Full name" name="displayName" error={errors.displayName} hint="As printed under the person's electronic signatures.">
          <input
            id="displayName"
            name="displayName"
            defaultValue={values.displayName}
            autoComplete="off"
            required
            maxLength={100}
            aria-invalid={errors.displayName ? true : undefined}
            aria-describedby={describedBy("displayName", errors, true)}
          />
        </Field>
        <Field label="Email" name="email" error={errors.email}>
          <input
            id="email"
            name="email"
            type="email"
            defaultValue={values.email}
            autoComplete="off"
            required
            maxLength={254}
            aria-invalid={errors.email ? true : undefined}
            aria-describedby={describedBy("email", errors)}
          />
        </Field>
      </div>
      <ChoiceList
        legend="Roles"
        name="roles"
        choices={ROLE_CHOICES}
        checked={values.roles}
        error={errors.roles}
        hint="Roles grant permissions in Quire. Give each person only what their work needs."
      />
      <ChoiceList
        legend="Job functions"
        name="jobFunctions"
        choices={jobFunctions.map((j) => ({ value: j.id, label: j.name }))}
        checked={values.jobFunctions}
        error={errors.jobFunctions}
        hint="Job functions decide which documents the person must read and be trained on."
      />
      <Field label={reasonLabel} name="reason" error={errors.reason} hint={reasonHint}>
        <textarea
          id="reason"
          name="reason"
          rows={2}
          maxLength={500}
          defaultValue={values.reason}
          aria-invalid={errors.reason ? true : undefined}
          aria-describedby={describedBy("reason", errors, true)}
        />
      </Field>
    </>
  );
}
