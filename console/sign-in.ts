import { ApiError, gql, KEY_SHAPE, storeKey } from './api.js';
import { clear, h } from './dom.js';
import { t } from './i18n.js';
import { busyWhile } from './state.js';

/**
 * Asks for a key and checks it with one request before keeping it (for this tab only). An
 * all-sandbox gateway also takes no key: the page is then an anonymous caller.
 */
export function signInView(langButton: HTMLElement, signedIn: () => void): HTMLElement {
  const message = h('p', { class: 'error', id: 'sign-in-error', role: 'alert' });
  const input = h('input', {
    id: 'key',
    name: 'key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'tgw_…',
  });
  const form = h(
    'form',
    { id: 'sign-in-form' },
    h('h2', {}, t('signInTitle')),
    h('label', { for: 'key' }, t('key')),
    input,
    h('button', { type: 'submit', id: 'sign-in', class: 'primary' }, t('signIn')),
    h('p', { class: 'help' }, t('signInHelp')),
    message,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (key && !KEY_SHAPE.test(key)) return clear(message, t('keyShape'));
    await busyWhile(async () => {
      storeKey(key);
      try {
        await gql('query ConsoleSignIn { __typename }');
      } catch (err) {
        storeKey(null);
        const refused = err instanceof ApiError && err.code === 'UNAUTHENTICATED';
        clear(message, refused ? t('badKey') : String(err));
        return;
      }
      signedIn();
    });
  });
  return h(
    'main',
    { class: 'sign-in' },
    h('div', { class: 'top' }, h('h1', {}, t('title')), langButton),
    form,
  );
}
