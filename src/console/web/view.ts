import { type Api, ApiFailure, type Me } from './api.ts';
import { h } from './dom.ts';

/** What a page of the console is given: the API as the signed-in person, and where to draw. */
export interface ViewContext {
  api: Api;
  me: Me;
  main: HTMLElement;
  /** The route's parameters: `#/tasks/<id>` gives `[id]`. */
  params: string[];
  query: URLSearchParams;
  /** Tells the top bar something changed that it shows (the count of open approvals). */
  refreshChrome(): void;
}

/** Draws into `ctx.main`; returns what to stop (streams, timers) when the person navigates away. */
export type View = (ctx: ViewContext) => (() => void) | undefined;

/**
 * Whether the console offers the new-task form. Only a courtesy: Cedar decides on the server, and
 * a role that may not start tasks gets a 403 however it asks.
 */
export function startsTasks(me: Me): boolean {
  return me.role === 'admin' || me.role === 'operator';
}

/** A failure, said so a person can act on it. */
export function errorBox(error: unknown): HTMLElement {
  const failure = error instanceof ApiFailure ? error : undefined;
  const message = failure ? failure.describe() : error instanceof Error ? error.message : String(error);
  return h(
    'div',
    { class: 'callout error', role: 'alert' },
    failure
      ? h('strong', null, failure.status === 403 ? 'Forbidden. ' : failure.status ? 'Error. ' : '')
      : null,
    message,
    failure?.field ? h('span', { class: 'muted' }, ` (field: ${failure.field})`) : null,
  );
}

/**
 * Runs `tick` now and then every `ms` while the tab is visible; a hidden tab costs the server
 * nothing and catches up the moment it is shown again.
 */
export function every(ms: number, tick: () => Promise<void> | void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    timer = undefined;
    if (stopped) return;
    if (document.visibilityState === 'visible') {
      try {
        await tick();
      } catch {
        // A failed refresh shows its error where it was drawn; the next tick tries again.
      }
    }
    if (!stopped) timer = setTimeout(run, ms);
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible' && timer !== undefined) {
      clearTimeout(timer);
      void run();
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  void run();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

export function pageHeader(title: string, ...actions: (Node | null)[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h1', null, title), h('div', { class: 'actions' }, ...actions));
}
