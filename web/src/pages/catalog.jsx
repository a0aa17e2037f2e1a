import { useState } from 'preact/hooks';
import { get, patch, put } from '../api.js';
import { kindLabel, number, parseRupiah, rupiah, time } from '../format.js';
import { Link } from '../router.jsx';
import { Card, Field, FormError, Loading, Select, Table, fieldError, useForm, useLoad, useSaving } from '../ui.jsx';

export function Catalog({ query }) {
  const [kind, setKind] = useState(query.get('kind') || 'game');
  const [category, setCategory] = useState('');
  const [filter, setFilter] = useState('');
  const state = useLoad(() => get('services', { kind }), [kind]);
  const f = filter.trim().toLowerCase();
  return (
    <>
      <div class="page-head">
        <h1>Catalog</h1>
        <Link href="/providers" class="btn ghost">Import from a provider</Link>
      </div>
      <div class="tabs" role="tablist">
        {Object.entries(kindLabel).map(([k, label]) => (
          <button type="button" role="tab" aria-selected={kind === k} class={kind === k ? 'on' : ''}
            onClick={() => { setKind(k); setCategory(''); }}>{label}</button>
        ))}
      </div>
      <Loading state={state}>{(d) => {
        const categories = [...new Set(d.services.map((s) => s.category))];
        const shown = d.services.filter((s) => (!category || s.category === category)
          && (!f || s.name.toLowerCase().includes(f) || s.code.toLowerCase().includes(f)));
        return (
          <Card>
            <div class="toolbar">
              <select aria-label="Category" value={category} onChange={(e) => setCategory(e.target.value)}>
                <option value="">All categories ({categories.length})</option>
                {categories.map((c) => <option value={c}>{c}</option>)}
              </select>
              <input type="search" placeholder="Filter by name or code" aria-label="Filter services" value={filter}
                onInput={(e) => setFilter(e.target.value)} />
              <span class="muted">{shown.length} of {d.services.length}</span>
            </div>
            <Table label="Services"
              head={['Code', 'Name', 'Category', { label: 'Standar', num: true }, { label: 'Premium', num: true },
                { label: 'Spesial', num: true }, 'Stock', 'Cut-off', 'On sale']}
              empty="No services of this kind."
              rows={shown.map((s) => (
                <tr class={s.enabled ? '' : 'dim'}>
                  <td><Link href={`/catalog/${s.kind}/${encodeURIComponent(s.code)}`} class="mono">{s.code}</Link></td>
                  <td>{s.name}</td><td>{s.category}</td>
                  <td class="num">{rupiah(s.prices.standar)}</td><td class="num">{rupiah(s.prices.premium)}</td>
                  <td class="num">{rupiah(s.prices.spesial)}</td>
                  <td><span class={`badge ${s.status === 'ready' ? 's-success' : 's-error'}`}>{s.status}</span></td>
                  <td>{s.cutoff === '00:00-00:00' ? '—' : s.cutoff}</td>
                  <td>{s.enabled ? 'yes' : 'no'}</td>
                </tr>
              ))} />
          </Card>
        );
      }}</Loading>
    </>
  );
}

export function ServiceDetail({ kind, code }) {
  const path = `services/${kind}/${encodeURIComponent(code)}`;
  const state = useLoad(async () => {
    const [list, routes, providers] = await Promise.all([get('services', { kind }), get(`${path}/routes`), get('providers')]);
    const service = list.services.find((s) => s.code === code);
    if (!service) throw new Error(`There is no ${kindLabel[kind] || kind} service ${code}.`);
    return { service, routes: routes.routes, providers: providers.providers };
  }, [kind, code]);
  return (
    <>
      <div class="page-head">
        <h1>{kindLabel[kind]} service <span class="mono">{code}</span></h1>
        <Link href={`/catalog?kind=${kind}`} class="btn ghost">Catalog</Link>
      </div>
      <Loading state={state}>{(d) => (
        <div class="grid">
          <EditService s={d.service} path={path} reload={state.reload} />
          <Routes routes={d.routes} providers={d.providers} path={path} kind={kind} reload={state.reload} />
          <EditFields s={d.service} path={path} reload={state.reload} />
        </div>
      )}</Loading>
    </>
  );
}

function EditService({ s, path, reload }) {
  const form = useForm({
    name: s.name, note: s.note, status: s.status, enabled: s.enabled, cutoff: s.cutoff,
    standar: String(s.prices.standar), premium: String(s.prices.premium), spesial: String(s.prices.spesial),
    min: String(s.min), max: String(s.max),
  });
  const [saved, setSaved] = useState('');
  const submit = (e) => {
    e.preventDefault();
    setSaved('');
    form.submit(async (v) => {
      const prices = {};
      for (const level of ['standar', 'premium', 'spesial']) {
        const p = parseRupiah(v[level]);
        if (!Number.isInteger(p) || p < 0) throw fieldError(level, 'A price in whole rupiah.');
        prices[level] = p;
      }
      if (!/^\d\d:\d\d-\d\d:\d\d$/.test(v.cutoff.trim())) throw fieldError('cutoff', 'Write the window as HH:MM-HH:MM (00:00-00:00 for none).');
      const body = { name: v.name.trim(), note: v.note, status: v.status, enabled: v.enabled, cutoff: v.cutoff.trim(), prices };
      if (s.kind === 'social-media') {
        for (const k of ['min', 'max']) {
          if (!/^\d+$/.test(v[k])) throw fieldError(k, 'A whole number.');
          body[k] = Number(v[k]);
        }
      }
      try {
        await patch(path, body);
      } catch (err) {
        // "prices.standar" and the like belong to their input.
        if (err.field && err.field.startsWith('prices.')) throw fieldError(err.field.slice(7), err.message);
        throw err;
      }
      setSaved('Saved.');
      reload();
    });
  };
  return (
    <Card title="Service" class="wide">
      <form onSubmit={submit} novalidate data-testid="service-form">
        <FormError form={form} />
        <div class="form-grid">
          <Field label="Name" name="name" form={form} />
          <Select label="Stock" name="status" form={form} options={[['ready', 'Ready'], ['empty', 'Empty (out of stock)']]} />
          <Field label="Price standar (Rp)" name="standar" form={form} inputmode="numeric"
            hint={s.kind === 'social-media' ? 'Per 1.000' : 'Per order'} />
          <Field label="Price premium (Rp)" name="premium" form={form} inputmode="numeric" />
          <Field label="Price spesial (Rp)" name="spesial" form={form} inputmode="numeric" />
          <Field label="Cut-off window" name="cutoff" form={form} hint="No orders between these times (operator's time zone); 00:00-00:00 for none." />
          {s.kind === 'social-media' && <Field label="Minimum quantity" name="min" form={form} inputmode="numeric" />}
          {s.kind === 'social-media' && <Field label="Maximum quantity" name="max" form={form} inputmode="numeric" />}
          <Field label="Note" name="note" form={form} />
          <Field label="On sale" name="enabled" form={form}>
            <label class="check"><input id="f-enabled" type="checkbox" checked={form.values.enabled} onChange={form.set('enabled')} /> Resellers can see and order it</label>
          </Field>
        </div>
        <div class="row">
          <button class="btn primary" type="submit" disabled={form.busy}>Save service</button>
          {saved && <span class="ok" role="status">{saved}</span>}
          <span class="muted small">Last changed {time(s.updated_at)}</span>
        </div>
      </form>
    </Card>
  );
}

const emptyField = { type: 'none', input_type: 'text', label: '', minlength: 0, maxlength: 0, placeholder: '', select_label: '', options: [], select_placeholder: '' };

function EditFields({ s, path, reload }) {
  const [fields, setFields] = useState(s.fields.map((f) => ({ ...emptyField, ...f, optionsText: (f.options || []).join('\n') })));
  const [title, setTitle] = useState(s.fields_title);
  const [info, setInfo] = useState(s.fields_info);
  const { errors, setErrors, busy, saved, start, run, err } = useSaving();
  const setF = (i, k) => (e) => {
    const v = e.target.value;
    setFields(fields.map((f, j) => (j === i ? { ...f, [k]: v } : f)));
    setErrors({});
  };
  const save = async (e) => {
    e.preventDefault();
    start();
    const body = {
      fields_title: title, fields_info: info,
      fields: fields.map((f) => ({
        type: f.type, input_type: f.input_type, label: f.label, placeholder: f.placeholder,
        minlength: Number(f.minlength) || 0, maxlength: Number(f.maxlength) || 0, select_label: f.select_label,
        select_placeholder: f.select_placeholder,
        options: f.optionsText.split('\n').map((o) => o.trim()).filter(Boolean),
      })),
    };
    await run(async () => {
      await patch(path, body);
      reload();
    });
  };
  return (
    <Card title="Order form fields" class="wide">
      <form onSubmit={save} novalidate>
        {errors._form && <div class="notice error" role="alert">{errors._form}</div>}
        <div class="form-grid">
          {s.kind === 'game' && (
            <div class="field"><label for="f-title">Form title</label>
              <input id="f-title" value={title} onInput={(e) => setTitle(e.target.value)} />{err('fields_title')}</div>
          )}
          <div class="field"><label for="f-info">Help text</label>
            <input id="f-info" value={info} onInput={(e) => setInfo(e.target.value)} />{err('fields_info')}</div>
        </div>
        {fields.map((f, i) => (
          <fieldset class="field-spec">
            <legend>Field {i + 1}</legend>
            <div class="form-grid">
              <div class="field"><label for={`ft-${i}`}>Type</label>
                <select id={`ft-${i}`} value={f.type} onChange={setF(i, 'type')}>
                  <option value="none">Not used</option><option value="input">Input</option><option value="select">Select</option>
                </select>{err(`fields[${i}].type`)}</div>
              {f.type !== 'none' && (
                <div class="field"><label for={`fl-${i}`}>Label</label>
                  <input id={`fl-${i}`} value={f.type === 'select' ? f.select_label : f.label}
                    onInput={setF(i, f.type === 'select' ? 'select_label' : 'label')} />{err(`fields[${i}].label`)}</div>
              )}
              {f.type === 'input' && (
                <>
                  <div class="field"><label for={`fi-${i}`}>Input type</label>
                    <select id={`fi-${i}`} value={f.input_type} onChange={setF(i, 'input_type')}>
                      <option value="text">Text</option><option value="number">Number</option>
                    </select></div>
                  <div class="field"><label for={`fmin-${i}`}>Min length</label>
                    <input id={`fmin-${i}`} inputmode="numeric" value={f.minlength} onInput={setF(i, 'minlength')} />{err(`fields[${i}].minlength`)}</div>
                  <div class="field"><label for={`fmax-${i}`}>Max length</label>
                    <input id={`fmax-${i}`} inputmode="numeric" value={f.maxlength} onInput={setF(i, 'maxlength')} />{err(`fields[${i}].maxlength`)}</div>
                  <div class="field"><label for={`fp-${i}`}>Placeholder</label>
                    <input id={`fp-${i}`} value={f.placeholder} onInput={setF(i, 'placeholder')} /></div>
                </>
              )}
              {f.type === 'select' && (
                <>
                  <div class="field"><label for={`fo-${i}`}>Options (one a line)</label>
                    <textarea id={`fo-${i}`} rows="4" value={f.optionsText} onInput={setF(i, 'optionsText')} />{err(`fields[${i}].options`)}</div>
                  <div class="field"><label for={`fsp-${i}`}>Placeholder</label>
                    <input id={`fsp-${i}`} value={f.select_placeholder} onInput={setF(i, 'select_placeholder')} /></div>
                </>
              )}
            </div>
          </fieldset>
        ))}
        <div class="row">
          <button class="btn" type="submit" disabled={busy}>Save fields</button>
          {saved && <span class="ok" role="status">{saved}</span>}
        </div>
      </form>
    </Card>
  );
}

function Routes({ routes, providers, path, kind, reload }) {
  const [rows, setRows] = useState(routes.map((r) => ({ provider: r.provider, service: r.service, cost: String(r.cost) })));
  const { errors, setErrors, busy, saved, start, run, err } = useSaving();
  const set = (i, k) => (e) => { setRows(rows.map((r, j) => (j === i ? { ...r, [k]: e.target.value } : r))); setErrors({}); };
  const move = (i, d) => {
    const next = [...rows];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    setRows(next);
  };
  const save = async (e) => {
    e.preventDefault();
    start();
    for (let i = 0; i < rows.length; i++) {
      const c = parseRupiah(rows[i].cost);
      if (!Number.isInteger(c) || c < 0) return setErrors({ [`routes[${i}].cost`]: 'A cost in whole rupiah.' });
      if (!rows[i].service.trim()) return setErrors({ [`routes[${i}].service`]: 'The provider\'s own service code.' });
    }
    await run(async () => {
      await put(`${path}/routes`, { routes: rows.map((r) => ({ provider: r.provider, service: r.service.trim(), cost: parseRupiah(r.cost) })) });
      reload();
    });
  };
  return (
    <Card title="Provider routes" class="wide">
      <p class="hint">Orders go to the first provider; a definite refusal falls over to the next. Without routes, orders wait for you.</p>
      <form onSubmit={save} novalidate>
        {errors._form && <div class="notice error" role="alert">{errors._form}</div>}
        {errors.routes && <div class="notice error" role="alert">{errors.routes}</div>}
        <ol class="routes">
          {rows.map((r, i) => (
            <li>
              <div class="field"><label for={`rp-${i}`}>Provider</label>
                <select id={`rp-${i}`} value={r.provider} onChange={set(i, 'provider')}>
                  {providers.map((p) => <option value={p.name}>{p.name}{p.enabled ? '' : ' (disabled)'}</option>)}
                </select>{err(`routes[${i}].provider`)}</div>
              <div class="field"><label for={`rs-${i}`}>Provider's code</label>
                <input id={`rs-${i}`} value={r.service} onInput={set(i, 'service')} />{err(`routes[${i}].service`)}</div>
              <div class="field"><label for={`rc-${i}`}>Cost (Rp{kind === 'social-media' ? ' per 1.000' : ''})</label>
                <input id={`rc-${i}`} inputmode="numeric" value={r.cost} onInput={set(i, 'cost')} />{err(`routes[${i}].cost`)}</div>
              <div class="route-move">
                <button type="button" class="btn ghost small" aria-label="Move up" disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
                <button type="button" class="btn ghost small" aria-label="Move down" disabled={i === rows.length - 1} onClick={() => move(i, 1)}>↓</button>
                <button type="button" class="btn ghost small" onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove</button>
              </div>
            </li>
          ))}
        </ol>
        <div class="row">
          <button type="button" class="btn ghost" disabled={providers.length === 0}
            onClick={() => setRows([...rows, { provider: providers[0].name, service: '', cost: '0' }])}>Add route</button>
          <button class="btn" type="submit" disabled={busy}>Save routes</button>
          {saved && <span class="ok" role="status">{saved}</span>}
          {providers.length === 0 && <span class="muted small">No providers yet (warung provider add).</span>}
        </div>
      </form>
    </Card>
  );
}
