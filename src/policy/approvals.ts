import { createInterface } from 'node:readline/promises';

/** A human's answer to an `ask`: this call only, every identical action this session, or no. */
export type ApprovalAnswer = 'once' | 'session' | 'deny';

export interface ApprovalRequest {
  callId: string;
  tool: string;
  /** What would happen, in one line (`shell: npm install left-pad`). */
  summary: string;
  /** Why the policy asks. */
  reason: string;
}

export interface Approver {
  /** Who answers, for the record: `terminal`, `headless`, later a user id. */
  readonly by: string;
  /** `fail` ends the session: the run cannot go on without a human. */
  ask(request: ApprovalRequest): Promise<ApprovalAnswer | 'fail'>;
}

/**
 * The approver asked with cleaned questions: a command the model wrote may hold a secret, and the
 * question is shown on a terminal or kept in the server's store.
 */
export function withCleanQuestions(approver: Approver, clean: (text: string) => string): Approver {
  return {
    get by() {
      return approver.by;
    },
    ask: (request) =>
      approver.ask({ ...request, summary: clean(request.summary), reason: clean(request.reason) }),
  };
}

export type HeadlessMode = 'deny' | 'fail';

/** For runs with nobody to ask: every `ask` is a denial, or ends the session. */
export function createHeadlessApprover(mode: HeadlessMode): Approver {
  return { by: 'headless', ask: async () => (mode === 'deny' ? 'deny' : 'fail') };
}

export interface TerminalApproverOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Cleans model-chosen text before it reaches the terminal. */
  clean: (text: string) => string;
}

/** Asks the person at the terminal; anything but a clear yes is a no. */
export function createTerminalApprover(options: TerminalApproverOptions): Approver {
  return {
    by: 'terminal',
    async ask(request) {
      const prompt = createInterface({ input: options.input, output: options.output, terminal: false });
      // Input that ends (Ctrl-D, a pipe that closed) before an answer: nobody can say yes.
      const closed = new Promise<string>((resolve) => prompt.once('close', () => resolve('')));
      try {
        options.output.write(
          `\n  approval needed: ${options.clean(request.summary)}\n  policy: ${options.clean(request.reason)}\n`,
        );
        const typed = await Promise.race([
          prompt.question('  allow [o]nce, for this [s]ession, or [d]eny? '),
          closed,
        ]);
        const answer = typed.trim().toLowerCase();
        if (answer === 'o' || answer === 'once' || answer === 'y' || answer === 'yes') return 'once';
        if (answer === 's' || answer === 'session') return 'session';
        return 'deny';
      } catch {
        return 'deny';
      } finally {
        prompt.close();
      }
    },
  };
}
