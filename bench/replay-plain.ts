/**
 * The plain live view's side of the resume benchmark: a recorded session's events, read from the
 * repository's store as a resume reads them, drawn by the live view of `warden exec` on this
 * terminal. Run as `node bench/replay-plain.ts REPO SESSION`.
 */
import { join } from 'node:path';
import { createLiveView } from '../src/cli/live-view.ts';
import { SessionStore } from '../src/store/session-store.ts';

const [repo, session] = process.argv.slice(2);
if (!repo || !session) {
  console.error('usage: node bench/replay-plain.ts REPO SESSION');
  process.exit(2);
}
const store = SessionStore.open(join(repo, '.warden'));
const view = createLiveView({
  write: (text) => process.stdout.write(text),
  tty: process.stdout.isTTY === true,
});
for (const event of store.events(session)) view.sink(event);
view.close();
store.close();
process.stdout.write('\nreplayed\n');
