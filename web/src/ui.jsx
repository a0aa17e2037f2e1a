// Small building blocks shared by the pages.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { statusLabel } from './format.js';

// Loads `load()` on mount and whenever `deps` change; reload() to fetch again.
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ loading: false, data, error: null }),
      (error) => live && setState({ loading: false, data: null, error }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

// Keeps a form's values, the error of each field and the form's own error.
// submit(fn) runs fn(values); an ApiError with `field` lands next to that field.
export function useForm(initial) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => {
    const v = e.target.type === 'checkbox' ? e.target.checked : e.target.value;
    setValues((vals) => ({ ...vals, [name]: v }));
    setErrors((errs) => ({ ...errs, [name]: undefined }));
  };
  const submit = async (fn) => {
    setBusy(true);
    setErrors({});
    try {
      return await fn(values);
    } catch (e) {
      if (e.fieldErrors) setErrors(e.fieldErrors);
      else if (e.field && e.field in values) setErrors({ [e.field]: e.message });
      else setErrors({ _form: e.message });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { values, setValues, errors, setErrors, busy, set, submit };
}

// For forms whose values are not one flat object (lists of rows): the error of each
// field under the `field` path the server names, the form's own error, busy, and a
// "Saved." note. start() clears them before a save; run(fn) sends and reports.
export function useSaving() {
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');
  const start = () => {
    setErrors({});
    setSaved('');
  };
  const run = async (fn) => {
    setBusy(true);
    try {
      await fn();
      setSaved('Saved.');
    } catch (err) {
      setErrors({ [err.field || '_form']: err.message });
    } finally {
      setBusy(false);
    }
  };
  const err = (k) => errors[k] && <p class="field-error" role="alert">{errors[k]}</p>;
  return { errors, setErrors, busy, saved, start, run, err };
}

// Thrown by a form's own checks before anything is sent.
export function fieldError(field, message) {
  const e = new Error(message);
  e.fieldErrors = { [field]: message };
  return e;
}

export function Field({ label, name, form, hint, type = 'text', children, ...rest }) {
  const id = `f-${name}`;
  const error = form.errors[name];
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {children || (
        <input id={id} name={name} type={type} value={form.values[name]} onInput={form.set(name)}
          aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-err` : undefined} {...rest} />
      )}
      {error ? <p class="field-error" id={`${id}-err`} role="alert">{error}</p> : hint ? <p class="hint">{hint}</p> : null}
    </div>
  );
}

export function Select({ label, name, form, options }) {
  return (
    <Field label={label} name={name} form={form}>
      <select id={`f-${name}`} name={name} value={form.values[name]} onChange={form.set(name)}>
        {options.map(([v, text]) => <option value={v}>{text}</option>)}
      </select>
    </Field>
  );
}

export function FormError({ form }) {
  const e = form.errors._form;
  if (!e) return null;
  return <div class="notice error" role="alert">{e}</div>;
}

export function Badge({ status }) {
  return <span class={`badge s-${status}`}>{statusLabel[status] || status}</span>;
}

export function Loading({ state, children }) {
  if (state.error) return <div class="notice error" role="alert">{state.error.message}</div>;
  if (state.loading && !state.data) return <p class="muted">Loading…</p>;
  return children(state.data);
}

export function Card({ title, actions, children, class: cls = '' }) {
  return (
    <section class={`card ${cls}`}>
      {(title || actions) && (
        <header class="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div class="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

// A table that scrolls sideways on a phone instead of squeezing its columns.
export function Table({ head, rows, empty = 'Nothing here yet.', label }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabindex="0">
      <table>
        <thead><tr>{head.map((h) => <th class={h.num ? 'num' : ''}>{h.label ?? h}</th>)}</tr></thead>
        <tbody>
          {rows.length === 0 ? (
            <tr><td class="empty" colspan={head.length}>{empty}</td></tr>
          ) : rows}
        </tbody>
      </table>
    </div>
  );
}

export function Pager({ page, hasMore, onPage }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="btn ghost" disabled={page <= 1} onClick={() => onPage(page - 1)}>← Newer</button>
      <span>Page {page}</span>
      <button type="button" class="btn ghost" disabled={!hasMore} onClick={() => onPage(page + 1)}>Older →</button>
    </nav>
  );
}

// A secret shown once (API key, callback secret) with a copy button.
export function ShownOnce({ title, value, onClose }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="notice success shown-once" role="status">
      <strong>{title}</strong>
      <p>Copy it now: it is shown only this once.</p>
      <code class="secret" data-testid="secret">{value}</code>
      <div class="row">
        <button type="button" class="btn" onClick={() => navigator.clipboard?.writeText(value).then(() => setCopied(true))}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="btn ghost" onClick={onClose}>Done</button>
      </div>
    </div>
  );
}

export function Modal({ title, onClose, children }) {
  useEffect(() => {
    const esc = (e) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onClose]);
  return (
    <div class="modal-back" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="modal" role="dialog" aria-modal="true" aria-label={title}>
        <header class="card-head"><h2>{title}</h2>
          <button type="button" class="btn ghost icon" aria-label="Close" onClick={onClose}>×</button>
        </header>
        {children}
      </div>
    </div>
  );
}
