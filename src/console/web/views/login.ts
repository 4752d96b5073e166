import { ApiFailure, createApi, type Me } from '../api.ts';
import { h } from '../dom.ts';

export interface LoginOptions {
  /** Why the person is here again (signed out, token refused). */
  message?: string | undefined;
  /** The server signs people in with its identity provider too (`sso:` in server.yaml). */
  sso?: boolean;
  signIn(token: string, me: Me): void;
}

// Only the prefix: the server decides what is valid, this catches a paste of the wrong thing.
const TOKEN_SHAPE = /^wdn_[\x21-\x7e]+$/;

/**
 * "Sign in with SSO" when the server has a provider (a plain link: the server sends the browser on
 * to the provider and back), and the token form, for anyone holding an API token. A token is tried
 * against GET /v1/me before it is kept.
 */
export function loginView(options: LoginOptions): HTMLElement {
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'wdn_…',
    required: true,
  });
  const status = h('div', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  if (options.message) status.append(h('div', { class: 'callout warn' }, options.message));
  // With SSO on, its button is the page's one primary action.
  const button = h('button', { type: 'submit', class: options.sso ? 'secondary' : 'primary' }, 'Sign in');

  const form = h(
    'form',
    {
      class: 'login-card',
      method: 'post',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void submit();
      },
    },
    h('div', { class: 'brand big' }, h('span', { class: 'mark', 'aria-hidden': 'true' }), 'Warden'),
    h('p', { class: 'muted' }, 'Coding agents under policy, in a sandbox, on the record.'),
    options.sso
      ? h(
          'div',
          { class: 'sso' },
          h('a', { class: 'button primary', href: '/auth/login', 'data-action': 'sso' }, 'Sign in with SSO'),
          h('p', { class: 'hint' }, 'With your company account; your groups decide your team and role.'),
          h('div', { class: 'or', role: 'separator' }, h('span', null, 'or with an API token')),
        )
      : null,
    h('label', { for: 'token' }, 'API token'),
    input,
    h(
      'p',
      { class: 'hint' },
      'Paste a token issued for you (POST /v1/tokens, or the admin token printed at the first start of ',
      h('code', null, 'warden serve'),
      '). It is kept in this tab only and sent as a Bearer token.',
    ),
    button,
    status,
  );

  async function submit() {
    const token = input.value.trim();
    status.replaceChildren();
    if (!TOKEN_SHAPE.test(token)) {
      status.append(
        h(
          'div',
          { class: 'callout error', role: 'alert' },
          'That is not a Warden token: they start with wdn_.',
        ),
      );
      return;
    }
    button.disabled = true;
    try {
      const me = await createApi({ token }, () => {}).get<Me>('/v1/me');
      options.signIn(token, me);
    } catch (error) {
      const message =
        error instanceof ApiFailure
          ? error.status === 403
            ? `This token is valid but its role may not use the console: ${error.message}`
            : error.describe()
          : String(error);
      status.append(h('div', { class: 'callout error', role: 'alert' }, message));
      button.disabled = false;
      input.select();
    }
  }

  if (!options.sso) queueMicrotask(() => input.focus());
  return h('div', { class: 'login' }, form);
}
