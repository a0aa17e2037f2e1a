import { post } from '../api.js';
import { Field, FormError, fieldError, useForm } from '../ui.jsx';

export function Login({ notice, onSignedIn }) {
  const form = useForm({ username: '', password: '' });
  const submit = (e) => {
    e.preventDefault();
    form.submit(async ({ username, password }) => {
      if (!username.trim()) throw fieldError('username', 'Enter your username.');
      if (!password) throw fieldError('password', 'Enter your password.');
      const who = await post('login', { username: username.trim(), password });
      onSignedIn({ ...who, via: 'session' });
    });
  };
  return (
    <div class="login-page">
      <form class="card login" onSubmit={submit} novalidate>
        <h1 class="brand">warung<span>console</span></h1>
        <p class="muted">Sign in to run the business.</p>
        {notice && <div class="notice warn" role="status">{notice}</div>}
        <FormError form={form} />
        <Field label="Username" name="username" form={form} autocomplete="username" autofocus />
        <Field label="Password" name="password" type="password" form={form} autocomplete="current-password" />
        <button class="btn primary wide" type="submit" disabled={form.busy}>{form.busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </div>
  );
}
