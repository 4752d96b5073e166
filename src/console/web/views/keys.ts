import { h, replace } from '../dom.ts';
import { cost, relativeTime, tokens } from '../format.ts';
import { errorBox, every, pageHeader, type View } from '../view.ts';

interface GatewayKey {
  id: string;
  owner: string;
  team: string;
  budget: { tokens?: number; cost?: number };
  spent: { tokens: number; cost: number; calls: number };
  createdBy: string;
  createdAt: string;
}

/**
 * The model gateway's virtual keys and what each has spent (GET /v1/keys: an admin sees every
 * team's, an operator their own team's). Keys are issued and revoked through the API.
 */
export const keysView: View = (ctx) => {
  const body = h('div', null, h('div', { class: 'muted' }, 'Reading keys…'));
  const base = `${location.origin}/gateway`;
  ctx.main.append(
    pageHeader('Gateway keys'),
    h(
      'p',
      { class: 'muted' },
      'Clients of the model gateway hold one of these keys. OpenAI clients use the base URL ',
      h('code', null, `${base}/v1`),
      ', Anthropic clients ',
      h('code', null, base),
      '. Issue a key with POST /v1/keys (it is shown once), revoke one with DELETE /v1/keys/{id}.',
    ),
    body,
  );
  return every(5000, async () => {
    try {
      const { keys } = await ctx.api.get<{ keys: GatewayKey[] }>('/v1/keys');
      replace(body, keys.length === 0 ? h('div', { class: 'empty' }, 'No gateway keys yet.') : table(keys));
    } catch (error) {
      replace(body, errorBox(error));
    }
  });
};

function table(keys: GatewayKey[]): HTMLElement {
  const of = (spent: string, budget: string | undefined) =>
    budget === undefined ? spent : `${spent} of ${budget}`;
  return h(
    'table',
    { class: 'grid compact' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...['Key', 'Owner', 'Team', 'Calls', 'Tokens', 'Cost', 'Issued'].map((title) =>
          h('th', ['Calls', 'Tokens', 'Cost'].includes(title) ? { class: 'num' } : null, title),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      ...keys.map((key) =>
        h(
          'tr',
          null,
          h('td', { class: 'mono' }, key.id),
          h('td', null, key.owner),
          h('td', null, key.team),
          h('td', { class: 'num' }, String(key.spent.calls)),
          h(
            'td',
            { class: 'num' },
            of(
              tokens(key.spent.tokens),
              key.budget.tokens === undefined ? undefined : tokens(key.budget.tokens),
            ),
          ),
          h(
            'td',
            { class: 'num' },
            of(cost(key.spent.cost), key.budget.cost === undefined ? undefined : cost(key.budget.cost)),
          ),
          h('td', { title: `${key.createdAt} by ${key.createdBy}` }, relativeTime(key.createdAt)),
        ),
      ),
    ),
  );
}
