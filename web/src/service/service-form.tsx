import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { request } from '../api/http';
import {
  type HttpMethod,
  RegisterServiceDocument,
  type RegisterServiceInput,
  ServiceDetailDocument,
  TestCheckDocument,
  type TestCheckMutation,
  UpdateServiceDocument,
} from '../generated/graphql';
import { Link, navigate, servicePath } from '../router';
import { formatMs } from '../status';
import { useAsync } from '../ui/use-async';

/** Active: statuschecker checks a url. Heartbeat: a job calls its push URL, and silence is DOWN. */
type Mode = 'ACTIVE' | 'HEARTBEAT';

interface Values {
  mode: Mode;
  name: string;
  url: string;
  method: HttpMethod;
  expectedStatus: string;
  bodyContains: string;
  degradedAboveMs: string;
  intervalSeconds: string;
  timeoutMs: string;
  failureThreshold: string;
  successThreshold: string;
  labels: string;
  headers: string;
  /** Heartbeat: every N seconds, or a cron schedule in a time zone, with a grace. */
  periodSeconds: string;
  cron: string;
  timezone: string;
  graceSeconds: string;
}
type Field = keyof Values;
type Errors = Partial<Record<Field | 'form', string>>;
type TestResult = TestCheckMutation['testCheck'];

const EMPTY: Values = {
  mode: 'ACTIVE',
  name: '',
  url: '',
  method: 'GET',
  expectedStatus: '200-299',
  bodyContains: '',
  degradedAboveMs: '',
  intervalSeconds: '30',
  timeoutMs: '5000',
  failureThreshold: '1',
  successThreshold: '1',
  labels: '',
  headers: '',
  periodSeconds: '3600',
  cron: '',
  timezone: 'UTC',
  graceSeconds: '300',
};
const FIELDS = new Set<string>(Object.keys(EMPTY));

/** Register (no id) or edit a service; every ValidationError is shown beside the field it names. */
export function ServiceFormPage({ id }: { id?: string }) {
  const existing = useAsync(
    () => (id ? request(ServiceDetailDocument, { id }) : Promise.resolve(undefined)),
    id ?? 'new',
  );
  if (id && existing.error)
    return (
      <p class="error" role="alert">
        {existing.error}
      </p>
    );
  if (id && !existing.data) return <p aria-busy="true">Loading…</p>;
  const service = existing.data?.service;
  if (id && !service) return <p>No service has the id {id}.</p>;
  const initial: Values = service
    ? {
        ...EMPTY,
        mode: service.kind === 'HEARTBEAT' ? 'HEARTBEAT' : 'ACTIVE',
        name: service.name,
        url: service.url,
        method: service.method,
        expectedStatus: service.expectedStatus,
        bodyContains: service.bodyContains ?? '',
        degradedAboveMs: service.degradedAboveMs?.toString() ?? '',
        intervalSeconds: String(service.intervalSeconds),
        timeoutMs: String(service.timeoutMs),
        failureThreshold: String(service.failureThreshold),
        successThreshold: String(service.successThreshold),
        labels: service.labels.join(', '),
        headers: service.headers.map((h) => `${h.name}: ${h.value}`).join('\n'),
        ...(service.heartbeat
          ? {
              periodSeconds: service.heartbeat.periodSeconds?.toString() ?? '',
              cron: service.heartbeat.cron ?? '',
              timezone: service.heartbeat.timezone ?? 'UTC',
              graceSeconds: String(service.heartbeat.graceSeconds),
            }
          : {}),
      }
    : EMPTY;
  return <ServiceForm key={id ?? 'new'} id={id} initial={initial} />;
}

function ServiceForm({ id, initial }: { id: string | undefined; initial: Values }) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<TestResult>();
  const [created, setCreated] = useState<{ id: string; pushUrl: string }>();
  useEffect(() => {
    document.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const set = (field: Field) => (event: Event) =>
    setValues({ ...values, [field]: (event.currentTarget as HTMLInputElement).value });

  const showError = (field: string | null | undefined, message: string) => {
    // heartbeat.cron is the cron field; heartbeat alone is the form's.
    const key = /^(?:heartbeat\.)?([A-Za-z]+)/.exec(field ?? '')?.[1] ?? '';
    setErrors(FIELDS.has(key) ? { [key as Field]: message } : { form: field ? `${field}: ${message}` : message });
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const input = toInput(values);
      const result = id
        ? (await request(UpdateServiceDocument, { id, input })).updateService
        : (await request(RegisterServiceDocument, { input })).registerService;
      if (result.__typename === 'ServicePayload') {
        // A new heartbeat's push URL holds its secret and is shown this once: stay to show it.
        const pushUrl = (result as { pushUrl?: string | null }).pushUrl;
        if (pushUrl) return setCreated({ id: result.service.id, pushUrl });
        return navigate(servicePath(result.service.id));
      }
      if (result.__typename === 'ValidationError') return showError(result.field, result.message);
      if (result.__typename === 'ConflictError') return showError('name', result.message);
      showError(undefined, result.message);
    } catch (err) {
      showError(undefined, (err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const runTest = async () => {
    setBusy(true);
    setErrors({});
    setTest(undefined);
    try {
      const result = (await request(TestCheckDocument, { input: toInput(values) })).testCheck;
      if (result.__typename === 'ValidationError') showError(result.field, result.problem);
      else setTest(result);
    } catch (err) {
      showError(undefined, (err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const field = (name: Field, label: string, input: (props: InputProps) => ComponentChildren, hint?: string) => (
    <FormField name={name} label={label} error={errors[name]} hint={hint} input={input} />
  );
  const text =
    (name: Field, type = 'text', extra: Record<string, unknown> = {}) =>
    (props: InputProps) => <input {...props} type={type} value={values[name]} onInput={set(name)} {...extra} />;

  if (created) return <PushUrlOnce name={values.name} {...created} />;
  const heartbeat = values.mode === 'HEARTBEAT';

  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/">Services</Link> / <span aria-current="page">{id ? `Edit ${initial.name}` : 'Register'}</span>
      </nav>
      <h1>{id ? `Edit ${initial.name}` : 'Register a service'}</h1>
      <form class="service-form" onSubmit={save} noValidate>
        {errors.form && (
          <p class="error" role="alert">
            {errors.form}
          </p>
        )}
        {field('name', 'Name', text('name', 'text', { required: true, autocomplete: 'off' }))}
        {!id && (
          <fieldset class="segmented">
            <legend>What is checked</legend>
            <label>
              <input
                type="radio"
                name="mode"
                value="ACTIVE"
                checked={!heartbeat}
                onChange={() => setValues({ ...values, mode: 'ACTIVE' })}
              />
              An active check: statuschecker calls it
            </label>
            <label>
              <input
                type="radio"
                name="mode"
                value="HEARTBEAT"
                checked={heartbeat}
                onChange={() => setValues({ ...values, mode: 'HEARTBEAT' })}
              />
              A heartbeat: a job pings statuschecker
            </label>
          </fieldset>
        )}
        {heartbeat ? (
          <>
            <div class="row">
              {field('periodSeconds', 'Every (s)', text('periodSeconds', 'number', { min: 1 }), 'or a cron schedule')}
              {field('cron', 'Cron schedule', text('cron', 'text', { placeholder: '0 2 * * *' }), '5 fields; optional')}
              {field('timezone', 'Time zone', text('timezone'), 'of the cron schedule, e.g. Europe/Berlin')}
            </div>
            <div class="row">
              {field('graceSeconds', 'Grace (s)', text('graceSeconds', 'number', { min: 0 }), 'how late a ping may be')}
              {field(
                'degradedAboveMs',
                'Degraded above (ms)',
                text('degradedAboveMs', 'number', { min: 1 }),
                'a run (start → ping) slower than this; optional',
              )}
            </div>
          </>
        ) : (
          <ActiveFields field={field} text={text} values={values} set={set} />
        )}
        <div class="row">
          {field('failureThreshold', 'Failures before DOWN', text('failureThreshold', 'number', { min: 1 }))}
          {field('successThreshold', 'Successes before UP', text('successThreshold', 'number', { min: 1 }))}
        </div>
        {field('labels', 'Labels', text('labels'), 'comma-separated')}
        <div class="actions">
          {!heartbeat && (
            <button type="button" disabled={busy} onClick={() => void runTest()}>
              Test before saving
            </button>
          )}
          <button type="submit" class="primary" disabled={busy}>
            {id ? 'Save' : 'Register'}
          </button>
          <Link href={id ? servicePath(id) : '/'} class="button">
            Cancel
          </Link>
        </div>
        <output class="test-result" aria-live="polite" data-testid="test-result">
          {test && test.__typename === 'TestCheckPayload' && <TestOutcome result={test} />}
        </output>
      </form>
    </>
  );
}

type FieldOf = (
  name: Field,
  label: string,
  input: (props: InputProps) => ComponentChildren,
  hint?: string,
) => ComponentChildren;
type TextOf = (name: Field, type?: string, extra?: Record<string, unknown>) => (props: InputProps) => ComponentChildren;

/** The fields of a check statuschecker makes itself. */
function ActiveFields({
  field,
  text,
  values,
  set,
}: {
  field: FieldOf;
  text: TextOf;
  values: Values;
  set: (field: Field) => (event: Event) => void;
}) {
  return (
    <>
      {field(
        'url',
        'URL',
        text('url', 'url', { required: true, inputMode: 'url', placeholder: 'https://example.internal/health' }),
      )}
      <div class="row">
        {field('method', 'Method', (props) => (
          <select {...props} value={values.method} onChange={set('method')}>
            <option>GET</option>
            <option>HEAD</option>
            <option>POST</option>
          </select>
        ))}
        {field('expectedStatus', 'Expected status', text('expectedStatus'), 'e.g. 200-299 or 200,204')}
      </div>
      {field('bodyContains', 'Body contains', text('bodyContains'), 'optional')}
      <div class="row">
        {field('intervalSeconds', 'Interval (s)', text('intervalSeconds', 'number', { min: 1 }))}
        {field('timeoutMs', 'Timeout (ms)', text('timeoutMs', 'number', { min: 1 }))}
        {field('degradedAboveMs', 'Degraded above (ms)', text('degradedAboveMs', 'number', { min: 1 }), 'optional')}
      </div>
      {field(
        'headers',
        'Headers',
        (props) => (
          <textarea {...props} rows={3} value={values.headers} onInput={set('headers')} />
        ),
        'one "Name: value" per line',
      )}
    </>
  );
}

type InputProps = { id: string; name: string; 'aria-invalid': boolean; 'aria-describedby'?: string };

function FormField(props: {
  name: Field;
  label: string;
  error: string | undefined;
  hint: string | undefined;
  input: (props: InputProps) => ComponentChildren;
}) {
  const id = `field-${props.name}`;
  const describedBy = [props.error && `${id}-error`, props.hint && `${id}-hint`].filter(Boolean).join(' ');
  return (
    <div class={`field${props.error ? ' invalid' : ''}`} data-field={props.name}>
      <label for={id}>{props.label}</label>
      {props.input({
        id,
        name: props.name,
        'aria-invalid': !!props.error,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {props.hint && (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <p id={`${id}-error`} class="field-error" role="alert">
          <span aria-hidden="true">⚠ </span>
          {props.error}
        </p>
      )}
    </div>
  );
}

function TestOutcome({ result }: { result: Extract<TestResult, { __typename: 'TestCheckPayload' }> }) {
  const verdict = !result.ok ? 'DOWN' : result.degraded ? 'DEGRADED' : 'UP';
  return (
    <p class={`test-outcome status-${verdict.toLowerCase()}`}>
      <strong>Test: {result.ok ? (result.degraded ? 'passed, but slow' : 'passed') : 'failed'}</strong> ({verdict}) —{' '}
      {result.httpStatus ? `HTTP ${result.httpStatus}, ` : ''}
      {formatMs(result.latencyMs)}
      {result.message ? `: ${result.message}` : ''}
    </p>
  );
}

/** A new heartbeat's push URL, shown this once (only its hash is kept), with how to call it. */
function PushUrlOnce({ id, name, pushUrl }: { id: string; name: string; pushUrl: string }) {
  return (
    <>
      <h1>{name} is registered</h1>
      <section class="card" aria-labelledby="push-title">
        <h2 id="push-title">Its push URL</h2>
        <p>
          <strong>Copy it now:</strong> it holds the secret and is shown only this once (a new one can be made on the
          service's page, which stops this one).
        </p>
        <p>
          <code class="break" data-testid="push-url">
            {pushUrl}
          </code>
        </p>
        <p class="hint">
          From the job, e.g. in a crontab: <code>my-backup && curl -fsS -m 10 {pushUrl}</code>; add <code>/start</code>{' '}
          when it begins to time the run, <code>/fail</code> (with the output as the body) or the exit code{' '}
          <code>/$?</code> when it fails.
        </p>
        <Link href={servicePath(id)} class="button primary">
          Go to {name}
        </Link>
      </section>
    </>
  );
}

const optionalInt = (value: string) => (value.trim() === '' ? null : Number(value));

function toInput(values: Values): RegisterServiceInput {
  const shared = {
    name: values.name.trim(),
    degradedAboveMs: optionalInt(values.degradedAboveMs),
    failureThreshold: Number(values.failureThreshold),
    successThreshold: Number(values.successThreshold),
    labels: values.labels
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
  };
  if (values.mode === 'HEARTBEAT') {
    const cron = values.cron.trim();
    return {
      ...shared,
      kind: 'HEARTBEAT',
      heartbeat: {
        periodSeconds: cron === '' ? optionalInt(values.periodSeconds) : null,
        cron: cron === '' ? null : cron,
        timezone: values.timezone.trim() || 'UTC',
        graceSeconds: Number(values.graceSeconds),
      },
    };
  }
  return {
    name: values.name.trim(),
    url: values.url.trim(),
    method: values.method,
    expectedStatus: values.expectedStatus.trim(),
    bodyContains: values.bodyContains === '' ? null : values.bodyContains,
    degradedAboveMs: optionalInt(values.degradedAboveMs),
    intervalSeconds: Number(values.intervalSeconds),
    timeoutMs: Number(values.timeoutMs),
    failureThreshold: Number(values.failureThreshold),
    successThreshold: Number(values.successThreshold),
    labels: values.labels
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
    headers: values.headers
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        const colon = line.indexOf(':');
        return colon < 0
          ? { name: line.trim(), value: '' }
          : { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
      }),
  };
}
