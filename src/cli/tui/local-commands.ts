import { COMPACTION_THRESHOLD, compact } from '../../agent/compaction.ts';
import { restoreFromSnapshot, snapshotPatch } from '../../broker/worktree-restore.ts';
import { diffSnapshots, snapshotWorktree } from '../../broker/worktree-snapshot.ts';
import { isWardenError, messageOf } from '../../errors.ts';
import { explainPolicy } from '../../policy/explain.ts';
import { auditCommand } from '../audit.ts';
import type { CommandIo } from '../main.ts';
import { sessionsCommand } from '../sessions.ts';
import { formatCost } from '../terminal.ts';
import type { LocalController } from './local-controller.ts';
import type { CommandOutput, SessionCommands } from './session-controller.ts';
import { spendOf } from './spend.ts';

const ok = (title: string, text = ''): CommandOutput => ({ title, text, ok: true });
const refused = (title: string, text = ''): CommandOutput => ({ title, text, ok: false });
const BUSY = refused('A turn is running', 'wait for it to finish, or press Esc to stop it first');

/** The slash commands of a local session, each a few calls into what the CLI already has. */
export function localCommands(session: LocalController): SessionCommands {
  const root = session.setup.repo.root;
  return {
    async switchModel(id) {
      let model: ReturnType<typeof session.setup.resolveModel>;
      try {
        model = session.setup.resolveModel(id);
      } catch (error) {
        return refused(`No model "${id}"`, isWardenError(error) ? error.describe() : messageOf(error));
      }
      const previous = session.model.info.id;
      session.useModel(model);
      await session.recordBetween([
        {
          type: 'user.command',
          command: 'model',
          detail: `${previous} → ${model.info.id}`,
          from: session.from,
        },
      ]);
      return ok(
        `Model: ${model.info.id}`,
        session.state.busy ? 'the running turn finishes with its own model; the next one uses this' : '',
      );
    },

    async policy() {
      return ok(`Policy: ${session.setup.policyName}`, explainPolicy(session.setup.policy).text);
    },

    async diff() {
      const start = session.start;
      const now = await snapshotWorktree(root);
      if (!start || !now)
        return refused('No diff', 'the workspace is not a git repository, so it has no snapshots');
      const files = await diffSnapshots(root, start, now);
      if (files.length === 0) return ok('No changes since the session started');
      const added = files.reduce((n, f) => n + f.added, 0);
      const removed = files.reduce((n, f) => n + f.removed, 0);
      return ok(
        `Changes since the session started: ${files.length} file${files.length === 1 ? '' : 's'}, +${added} -${removed}`,
        await snapshotPatch(root, start, now),
      );
    },

    async undo() {
      if (session.state.busy) return BUSY;
      const turn = session.turns.at(-1);
      if (!turn) return refused('Nothing to undo', 'no turn of this session changed a file since it opened');
      const now = await snapshotWorktree(root);
      if (!now) return refused('Cannot undo', 'the workspace could not be snapshotted');
      const changed = await diffSnapshots(root, turn.before, turn.after);
      const paths = changed.flatMap((file) => (file.from ? [file.from, file.path] : [file.path]));
      // A file edited again since the turn (by the person) would lose that edit: say so instead.
      const since = new Set(
        (await diffSnapshots(root, turn.after, now)).flatMap((f) => (f.from ? [f.from, f.path] : [f.path])),
      );
      const touched = paths.filter((path) => since.has(path));
      if (touched.length > 0) {
        return refused(
          'Not undone',
          `changed again since the turn: ${touched.join(', ')}; undo those by hand`,
        );
      }
      let restored: string[];
      try {
        restored = await restoreFromSnapshot(root, turn.before, paths);
      } catch (error) {
        return refused('Not undone', isWardenError(error) ? error.describe() : messageOf(error));
      }
      session.turns.pop();
      const detail = `reverted the last turn's changes to ${restored.length} file${restored.length === 1 ? '' : 's'}`;
      await session.recordBetween([
        { type: 'user.command', command: 'undo', detail, from: session.from, files: restored },
      ]);
      // The model still believes its edits are there: it is told with the next message.
      session.notes.push(
        `[The person reverted the file changes of your last turn with /undo: ${restored.join(', ')}. Those files are as they were before it.]`,
      );
      return ok(
        `Undone: ${restored.length} file${restored.length === 1 ? '' : 's'} as before the last turn`,
        'the model is told with your next message',
      );
    },

    async cost() {
      const spend = spendOf(session.events);
      const lines = Object.entries(spend.byModel).map(
        ([model, s]) =>
          `${model}: ${s.turns} turns · in ${s.inputTokens} · out ${s.outputTokens} · ${formatCost(s.cost)}`,
      );
      return ok(
        `Spent: ${spend.inputTokens + spend.outputTokens} tokens · ${formatCost(spend.cost)}`,
        lines.join('\n'),
      );
    },

    async compact() {
      if (session.state.busy) return BUSY;
      const sessionId = session.state.info.sessionId;
      const checkpoint = sessionId ? session.setup.parts.store.loadCheckpoint(sessionId) : undefined;
      if (!sessionId || !checkpoint) return refused('Nothing to compact yet');
      // Half of what the conversation holds now, and never more than the automatic threshold.
      const window = Math.floor(session.model.info.contextWindow * COMPACTION_THRESHOLD);
      const held = compact('', checkpoint.messages, Number.POSITIVE_INFINITY, '').tokensBefore;
      const budget = Math.min(window, Math.floor(held / 2));
      const result = compact('', checkpoint.messages, budget, 'Compacted on request by the person.');
      if (result.messages.length === checkpoint.messages.length && result.tokensAfter === held) {
        return ok('Already compact', `${checkpoint.messages.length} messages, about ${held} tokens`);
      }
      await session.recordBetween(
        [
          {
            type: 'context.compacted',
            turn: checkpoint.turns,
            messagesBefore: checkpoint.messages.length,
            messagesAfter: result.messages.length,
            tokensBefore: result.tokensBefore,
          },
          {
            type: 'user.command',
            command: 'compact',
            detail: `about ${held} → ${result.tokensAfter} tokens`,
            from: session.from,
          },
        ],
        (lastSeq) => ({ ...checkpoint, messages: result.messages, lastSeq }),
      );
      return ok(
        `Compacted: ${checkpoint.messages.length} → ${result.messages.length} messages`,
        `about ${held} → ${result.tokensAfter} tokens; old tool outputs elided, the task kept`,
      );
    },

    async sessions() {
      const out = await captured((io) => sessionsCommand(['list', '--repo', root], io), session.io);
      return { title: 'Sessions of this repository', text: out.text, ok: out.code === 0 };
    },

    async resume(id) {
      if (session.state.busy) return BUSY;
      if (!id) {
        const out = await captured((io) => sessionsCommand(['list', '--repo', root], io), session.io);
        return ok('Resume which session? /resume ID', out.text);
      }
      const found = session.setup.parts.store.find(id);
      if (!found) return refused(`No session "${id}"`, 'list them with /sessions');
      session.switchSession(found.id, session.setup.parts.store.events(found.id));
      return ok(`Resumed ${found.id}`, 'your next message continues it');
    },

    async audit() {
      const sessionId = session.state.info.sessionId;
      if (!sessionId) return refused('No audit log yet', 'the session starts with your first message');
      if (session.state.busy) return BUSY;
      const args = ['verify', sessionId, '--repo', root, '--audit-dir', session.setup.audit.dir];
      const out = await captured((io) => auditCommand(args, io), session.io);
      return {
        title: out.code === 0 ? 'Audit log verified' : 'Audit log NOT verified',
        text: out.text,
        ok: out.code === 0,
      };
    },
  };
}

/** A CLI command run for its printed answer, as a person would see it at the prompt. */
async function captured(
  run: (io: CommandIo) => Promise<number>,
  io: CommandIo,
): Promise<{ code: number; text: string }> {
  let text = '';
  const write = (chunk: string) => {
    text += chunk;
  };
  try {
    const code = await run({ ...io, stdout: write, stderr: write, stdoutIsTty: false });
    return { code, text: text.trimEnd() };
  } catch (error) {
    return { code: 2, text: isWardenError(error) ? error.describe() : messageOf(error) };
  }
}
