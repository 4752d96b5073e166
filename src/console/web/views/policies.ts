import type { PolicySummary } from '../api.ts';
import { h, replace, route } from '../dom.ts';
import { errorBox, pageHeader, type View } from '../view.ts';

/** The server's policies, each as its one-page summary, with where it grants more than it may mean. */
export const policiesView: View = (ctx) => {
  const list = h('nav', { class: 'policy-list', 'aria-label': 'Policies' });
  const detail = h('div', { class: 'policy-detail' });
  ctx.main.append(pageHeader('Policies'), h('div', { class: 'split' }, list, detail));

  void (async () => {
    try {
      const { policies } = await ctx.api.get<{ policies: PolicySummary[] }>('/v1/policies');
      const chosen = policies.find((p) => p.name === ctx.params[0]) ?? policies[0];
      replace(
        list,
        ...policies.map((p) =>
          h(
            'a',
            { href: route('policies', p.name), class: p === chosen ? 'active' : '' },
            h('span', { class: 'name' }, p.name),
            breadthMeter(p.breadth),
            p.warnings.length > 0
              ? h(
                  'span',
                  { class: 'warn small' },
                  `${p.warnings.length} warning${p.warnings.length > 1 ? 's' : ''}`,
                )
              : null,
          ),
        ),
      );
      if (!chosen) {
        replace(detail, h('div', { class: 'empty' }, 'This server has no policies.'));
        return;
      }
      if (ctx.params[0] && chosen.name !== ctx.params[0]) {
        detail.append(
          h('div', { class: 'callout warn' }, `No policy named "${ctx.params[0]}" on this server.`),
        );
      }
      detail.append(
        h(
          'div',
          { class: 'policy-head' },
          h('h2', null, chosen.name),
          breadthMeter(chosen.breadth),
          h('span', { class: 'muted small' }, 'breadth: 0 grants little, 100 nearly everything'),
        ),
        chosen.warnings.length > 0
          ? h(
              'ul',
              { class: 'warnings' },
              ...chosen.warnings.map((w) =>
                h(
                  'li',
                  null,
                  h('code', null, w.rule),
                  ` ${w.message}`,
                  h('span', { class: 'muted' }, ` (+${w.weight})`),
                ),
              ),
            )
          : h('div', { class: 'callout ok' }, 'No grant here is broader than it looks.'),
        h('pre', { class: 'policy-text' }, chosen.summary),
      );
    } catch (error) {
      replace(detail, errorBox(error));
    }
  })();
  return undefined;
};

function breadthMeter(breadth: number): HTMLElement {
  const level = breadth >= 60 ? 'high' : breadth >= 25 ? 'mid' : 'low';
  const bar = h('span', { class: `meter-fill ${level}` });
  // The width is set through the CSSOM: the page's policy forbids style attributes, not this.
  bar.style.width = `${Math.max(2, Math.min(100, breadth))}%`;
  return h(
    'span',
    {
      class: 'meter',
      title: `breadth ${breadth}/100`,
      role: 'img',
      'aria-label': `breadth ${breadth} of 100`,
    },
    bar,
    h('span', { class: 'meter-label' }, String(breadth)),
  );
}
