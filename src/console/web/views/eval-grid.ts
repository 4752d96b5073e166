import type { EvalSummary, Slot } from '../api.ts';
import { h } from '../dom.ts';
import { contestantLetter, SLOT_MARKS, SLOTS } from '../eval-format.ts';
import { contestantKey } from './eval-figures.ts';

/** Every instance's outcome for each contestant and repeat: a coloured mark per trial. */
export function instanceGrid(summary: EvalSummary): HTMLElement {
  return h(
    'section',
    { class: 'eval-section' },
    h('h2', null, 'Instances'),
    h(
      'p',
      { class: 'slot-legend' },
      ...SLOTS.map((slot) =>
        h(
          'span',
          null,
          h('span', { class: `slot slot-${slot}`, 'aria-hidden': 'true' }, SLOT_MARKS[slot]),
          ` ${slot}`,
        ),
      ),
    ),
    h(
      'div',
      { class: 'table-wrap fit' },
      h(
        'table',
        { class: 'grid compact instance-grid' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, 'Instance'),
            ...summary.contestants.map((c) =>
              h('th', { class: 'slots', title: c.label }, contestantKey(c.index)),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          ...summary.instances.map((instance) =>
            h(
              'tr',
              { 'data-instance': instance.id },
              h('th', { scope: 'row', class: 'mono' }, instance.id),
              ...instance.outcomes.map((slots, index) =>
                h(
                  'td',
                  { class: 'slots', 'data-contestant': index },
                  ...slots.map((slot, repeat) =>
                    mark(slot, `${contestantLetter(index)} · repeat ${repeat + 1}: ${slot}`),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function mark(slot: Slot, label: string): HTMLElement {
  return h(
    'span',
    { class: `slot slot-${slot}`, 'data-outcome': slot, title: label, role: 'img', 'aria-label': label },
    SLOT_MARKS[slot] ?? '?',
  );
}
