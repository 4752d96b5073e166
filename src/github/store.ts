import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type pg from 'pg';
import { GITHUB_SCHEMA } from '../store/github-schema.ts';

/** What set a task off on GitHub, and where its results go. */
export interface GitHubLink {
  taskId: string;
  /** `owner/name` as GitHub spells it. */
  repository: string;
  installationId: number;
  /** The issue, or the pull request, the trigger was on. */
  issueNumber: number;
  trigger: {
    kind: 'label' | 'comment';
    /** The comment that asked, for its reaction. */
    commentId?: number;
    /** The GitHub login that asked (checked for write access). */
    sender: string;
    url: string;
  };
  /** The untrusted text the task is about (issue, comment), redacted, as the session will read it. */
  material: Array<{ source: string; content: string }>;
  /** The branch the work is pushed to, `warden/…`. */
  branch: string;
  /** The branch the clone starts from: the default branch, or `branch` itself when continuing. */
  startFrom: string;
  pullNumber?: number;
  checkRunId?: number;
}

export type DeliveryVerdict = 'new' | 'same-id' | 'same-body';

export interface GitHubStore {
  /**
   * Records a delivery before anything acts on it. A second delivery with the same id (a
   * redelivery) or the same signed body under a new id (a replay) is not new.
   */
  recordDelivery(
    delivery: { id: string; bodySha256: string; event: string },
    /** Deliveries older than this are forgotten (their events are refused as stale anyway). */
    keepMs: number,
  ): Promise<DeliveryVerdict>;
  /** Forgets a delivery whose handling failed before it acted, so GitHub's redelivery is taken. */
  forgetDelivery(id: string): Promise<void>;
  link(link: GitHubLink): Promise<void>;
  get(taskId: string): Promise<GitHubLink | undefined>;
  update(taskId: string, fields: Pick<GitHubLink, 'pullNumber' | 'checkRunId'>): Promise<void>;
  /** Tasks started on an issue or pull request, or whose pull request it is; oldest first. */
  tasksOn(repository: string, number: number): Promise<string[]>;
  close(): Promise<void>;
}

type Rows = (text: string, args?: unknown[]) => Promise<Array<Record<string, unknown>>>;

function storeOver(rows: Rows, close: () => Promise<void>): GitHubStore {
  return {
    async recordDelivery({ id, bodySha256, event }, keepMs) {
      await rows('DELETE FROM github_deliveries WHERE received_at < $1', [
        new Date(Date.now() - keepMs).toISOString(),
      ]);
      const inserted = await rows(
        `INSERT INTO github_deliveries (id, body_sha256, event, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING id`,
        [id, bodySha256, event, new Date().toISOString()],
      );
      if (inserted.length > 0) return 'new';
      const same = await rows('SELECT id FROM github_deliveries WHERE id = $1', [id]);
      return same.length > 0 ? 'same-id' : 'same-body';
    },
    async forgetDelivery(id) {
      await rows('DELETE FROM github_deliveries WHERE id = $1', [id]);
    },
    async link(link) {
      const { taskId, repository, installationId, issueNumber } = link;
      await rows(
        `INSERT INTO github_tasks (task_id, repository, installation_id, issue_number, link, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [taskId, repository, installationId, issueNumber, JSON.stringify(link), new Date().toISOString()],
      );
    },
    async get(taskId) {
      const [row] = await rows(
        'SELECT link, pull_number, check_run_id FROM github_tasks WHERE task_id = $1',
        [taskId],
      );
      if (!row) return undefined;
      const link = JSON.parse(String(row.link)) as GitHubLink;
      return {
        ...link,
        ...(row.pull_number == null ? {} : { pullNumber: Number(row.pull_number) }),
        ...(row.check_run_id == null ? {} : { checkRunId: Number(row.check_run_id) }),
      };
    },
    async update(taskId, fields) {
      if (fields.pullNumber !== undefined)
        await rows('UPDATE github_tasks SET pull_number = $2 WHERE task_id = $1', [
          taskId,
          fields.pullNumber,
        ]);
      if (fields.checkRunId !== undefined)
        await rows('UPDATE github_tasks SET check_run_id = $2 WHERE task_id = $1', [
          taskId,
          fields.checkRunId,
        ]);
    },
    async tasksOn(repository, number) {
      const found = await rows(
        `SELECT task_id FROM github_tasks WHERE repository = $1 AND (issue_number = $2 OR pull_number = $2)
         ORDER BY created_at, task_id`,
        [repository, number],
      );
      return found.map((row) => String(row.task_id));
    },
    close,
  };
}

export function sqliteGitHubStore(file: string): GitHubStore {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;');
  db.exec(GITHUB_SCHEMA);
  // `$n` → `?n`: SQLite numbers its parameters the same way under another sign.
  const rows: Rows = async (text, args = []) =>
    db.prepare(text.replace(/\$(\d+)/g, '?$1')).all(...(args as SQLInputValue[])) as Array<
      Record<string, unknown>
    >;
  return storeOver(rows, async () => db.close());
}

/** On the server's shared database (tables made by its migrations). */
export function pgGitHubStore(pool: pg.Pool): GitHubStore {
  return storeOver(
    async (text, args = []) => (await pool.query(text, args)).rows,
    async () => undefined,
  );
}
