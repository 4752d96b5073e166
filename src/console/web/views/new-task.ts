import { ApiFailure, type Limits, type ModelChoice, type PolicySummary, type Task } from '../api.ts';
import { h, replace, route } from '../dom.ts';
import { errorBox, pageHeader, startsTasks, type View } from '../view.ts';

/**
 * The form for a task: repository, instruction, a model the server offers, one of its policies and
 * optional limits. The server validates everything again; a refusal names the field, which is
 * marked here.
 */
export const newTaskView: View = (ctx) => {
  if (!startsTasks(ctx.me)) {
    ctx.main.append(
      pageHeader('New task'),
      h(
        'div',
        { class: 'callout warn', role: 'alert', 'data-refused': 'task.create' },
        `Your role, ${ctx.me.role}, may not start tasks. An admin gives operators of team "${ctx.me.team}" that right (or maps your group to the operator role, with single sign-on).`,
      ),
    );
    return undefined;
  }
  const problem = h('div', { role: 'status', 'aria-live': 'polite' });
  const repository = h('input', {
    id: 'repository',
    name: 'repository',
    required: true,
    list: 'recent-repositories',
    placeholder: '/srv/repos/payments',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const recent = h('datalist', { id: 'recent-repositories' });
  const instruction = h('textarea', {
    id: 'instruction',
    name: 'instruction',
    required: true,
    rows: 6,
    placeholder:
      'What should the agent do? e.g. "The invoice total is wrong; find out why and fix it, with a test."',
  });
  const model = h('select', { id: 'model', name: 'model', required: true });
  const modelRest = h('input', {
    id: 'model-id',
    name: 'model-id',
    hidden: true,
    spellcheck: 'false',
    'aria-label': 'Full model id',
  });
  const policy = h('select', { id: 'policy', name: 'policy' });
  const policyNote = h('div', { class: 'hint' });
  const limit = (id: string, label: string, attrs: Record<string, string | number>) =>
    h(
      'label',
      { class: 'limit' },
      h('span', null, label),
      h('input', { id, name: id, type: 'number', min: 1, placeholder: 'policy default', ...attrs }),
    );
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Start task');

  const fields: Record<string, HTMLElement> = { repository, instruction, model, policy };
  const form = h(
    'form',
    {
      class: 'form',
      method: 'post',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void start();
      },
    },
    h('label', { for: 'repository' }, 'Repository'),
    repository,
    recent,
    h(
      'div',
      { class: 'hint' },
      'The absolute path of a git work tree inside one of the server’s repository roots.',
    ),
    h('label', { for: 'instruction' }, 'Instruction'),
    instruction,
    h(
      'div',
      { class: 'two' },
      h('div', null, h('label', { for: 'model' }, 'Model'), model, modelRest),
      h('div', null, h('label', { for: 'policy' }, 'Policy'), policy, policyNote),
    ),
    h(
      'fieldset',
      { class: 'limits' },
      h('legend', null, 'Limits (optional; the policy’s own limits still apply)'),
      limit('limit-turns', 'Turns', { max: 100000 }),
      limit('limit-tokens', 'Tokens', {}),
      limit('limit-cost', 'Cost, USD', { min: 0.01, step: 0.01 }),
      limit('limit-minutes', 'Wall time, minutes', { max: 10080 }),
    ),
    h('div', { class: 'form-actions' }, submit, h('a', { href: '#/tasks', class: 'button' }, 'Cancel')),
    problem,
  );
  ctx.main.append(pageHeader('New task'), h('div', { class: 'panel narrow' }, form));

  let policies: PolicySummary[] = [];
  const showPolicy = () => {
    const chosen = policies.find((p) => p.name === policy.value);
    replace(
      policyNote,
      chosen
        ? h(
            'span',
            null,
            `Breadth ${chosen.breadth}/100`,
            chosen.warnings.length > 0 ? ` · ${chosen.warnings.length} warning(s) · ` : ' · ',
            h('a', { href: route('policies', chosen.name) }, 'read it'),
          )
        : null,
    );
  };
  policy.addEventListener('change', showPolicy);
  const showModel = () => {
    const pattern = model.value.endsWith('*');
    modelRest.hidden = !pattern;
    modelRest.required = pattern;
    if (pattern && !modelRest.value.startsWith(model.value.slice(0, -1)))
      modelRest.value = model.value.slice(0, -1);
  };
  model.addEventListener('change', showModel);

  void (async () => {
    try {
      const [models, catalog, recentTasks] = await Promise.all([
        ctx.api.get<{ models: ModelChoice[]; default: string | null }>('/v1/models'),
        ctx.api.get<{ policies: PolicySummary[] }>('/v1/policies'),
        ctx.api.get<{ tasks: Task[] }>('/v1/tasks?limit=100'),
      ]);
      if (models.models.length === 0) {
        problem.append(
          errorBox(new Error('This server offers no models yet: an operator adds them to server.yaml.')),
        );
      }
      replace(
        model,
        ...models.models.map((m) =>
          h(
            'option',
            { value: m.id, selected: m.id === models.default },
            m.pattern ? `${m.id} (choose a file)` : m.id,
          ),
        ),
      );
      policies = catalog.policies;
      replace(
        policy,
        ...policies.map((p) =>
          h('option', { value: p.name, selected: p.name === 'default' }, `${p.name} (breadth ${p.breadth})`),
        ),
      );
      replace(
        recent,
        ...[...new Set(recentTasks.tasks.map((t) => t.repository))].map((r) => h('option', { value: r })),
      );
      if (!repository.value && recentTasks.tasks[0]) repository.value = recentTasks.tasks[0].repository;
      showModel();
      showPolicy();
    } catch (error) {
      problem.append(errorBox(error));
    }
  })();

  async function start() {
    problem.replaceChildren();
    for (const field of Object.values(fields)) field.removeAttribute('aria-invalid');
    const limits: Limits = {};
    const number = (id: string) => {
      const value = (form.querySelector(`#${id}`) as HTMLInputElement).value;
      return value === '' ? undefined : Number(value);
    };
    const turns = number('limit-turns');
    const tokenLimit = number('limit-tokens');
    const costLimit = number('limit-cost');
    const minutes = number('limit-minutes');
    if (turns !== undefined) limits.turns = turns;
    if (tokenLimit !== undefined) limits.tokens = tokenLimit;
    if (costLimit !== undefined) limits.cost = costLimit;
    if (minutes !== undefined) limits.wallTimeSeconds = Math.round(minutes * 60);
    submit.disabled = true;
    try {
      const task = await ctx.api.post<Task>('/v1/tasks', {
        repository: repository.value.trim(),
        instruction: instruction.value,
        model: model.value.endsWith('*') ? modelRest.value.trim() : model.value,
        policy: policy.value || 'default',
        ...(Object.keys(limits).length > 0 ? { limits } : {}),
      });
      location.hash = route('tasks', task.id);
    } catch (error) {
      submit.disabled = false;
      problem.append(errorBox(error));
      const field = error instanceof ApiFailure ? error.field?.split('.')[0] : undefined;
      const target = field === 'model' && !modelRest.hidden ? modelRest : field ? fields[field] : undefined;
      if (target) {
        target.setAttribute('aria-invalid', 'true');
        target.focus();
      }
    }
  }
  return undefined;
};
