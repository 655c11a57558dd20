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

interface Values {
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
}
type Field = keyof Values;
type Errors = Partial<Record<Field | 'form', string>>;
type TestResult = TestCheckMutation['testCheck'];

const EMPTY: Values = {
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
      }
    : EMPTY;
  return <ServiceForm key={id ?? 'new'} id={id} initial={initial} />;
}

function ServiceForm({ id, initial }: { id: string | undefined; initial: Values }) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<TestResult>();
  useEffect(() => {
    document.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const set = (field: Field) => (event: Event) =>
    setValues({ ...values, [field]: (event.currentTarget as HTMLInputElement).value });

  const showError = (field: string | null | undefined, message: string) => {
    const key = /^[A-Za-z]+/.exec(field ?? '')?.[0] ?? '';
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
      if (result.__typename === 'ServicePayload') return navigate(servicePath(result.service.id));
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
        <div class="row">
          {field('failureThreshold', 'Failures before DOWN', text('failureThreshold', 'number', { min: 1 }))}
          {field('successThreshold', 'Successes before UP', text('successThreshold', 'number', { min: 1 }))}
        </div>
        {field('labels', 'Labels', text('labels'), 'comma-separated')}
        {field(
          'headers',
          'Headers',
          (props) => (
            <textarea {...props} rows={3} value={values.headers} onInput={set('headers')} />
          ),
          'one "Name: value" per line',
        )}
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => void runTest()}>
            Test before saving
          </button>
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

const optionalInt = (value: string) => (value.trim() === '' ? null : Number(value));

function toInput(values: Values): RegisterServiceInput {
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
