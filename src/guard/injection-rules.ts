import { CONTROL_CHARACTERS, inspectInvisible, withoutInvisible } from './invisible-text.ts';

/**
 * Text that reads as instructions aimed at the agent rather than at a person: the shapes prompt
 * injection takes in READMEs, code comments, issues and test output. A finding informs (it becomes
 * a `guard.flagged` event); it never decides anything — the policy and the sandbox do.
 *
 * Precision matters more than recall: ordinary code, documentation and test output must not flag,
 * or flags stop being read. So each rule wants the agent-directed shape (an imperative aimed at
 * "previous instructions", a turn marker at the start of a line, a secret file next to curl), not a
 * word that merely appears in technical prose.
 *
 * Every pattern is linear: it has no unbounded quantifier (`+`, `*`, `{n,}`) — repetition is
 * bounded — so a match attempt costs at most a constant, whatever the input (the tests check this).
 * The phrase rules read the text with invisible characters removed, NFKC-normalised (fullwidth
 * letters become ASCII) and whitespace collapsed to single spaces.
 */
export interface InjectionFinding {
  rule: string;
  /** A short, single-line piece of what matched (from already-redacted text). */
  excerpt: string;
}

export interface InjectionRule {
  id: string;
  /** `flat`: whitespace collapsed, phrases may span lines; `lines`: line starts kept for `^`. */
  scope: 'flat' | 'lines';
  pattern: RegExp;
}

const EXCERPT_CHARS = 80;
/** An HTML comment's body is read this far for an instruction; more is not needed to tell. */
const COMMENT_CHARS = 2000;

/** Things that are secret by their nature: the files and dumps an exfiltration wants. */
const SECRET_SOURCE = String.raw`(?:\.env\b|\$\((?:env|printenv|set)\)|\bprintenv\b|~\/\.(?:ssh|aws|npmrc|netrc|pypirc|docker)|\bid_(?:rsa|ed25519|ecdsa)\b|\.aws\/credentials|\/proc\/self\/environ|\.git-credentials)`;
const SENDERS = '(?:curl|wget|nc|ncat|netcat|socat|invoke-webrequest|iwr|scp|rsync|ftp)';

export const INJECTION_RULES: readonly InjectionRule[] = [
  {
    id: 'ignore-instructions',
    scope: 'flat',
    pattern:
      /\b(?:ignore|disregard|forget|override|skip) (?:(?:all|any|each|every|of|the|your|these|those|my|its) ){0,3}(?:(?:previous|prior|above|earlier|preceding|former|original|initial|other|existing) ){1,2}(?:instructions?|prompts?|directions?|directives?|rules|guidelines|guidance|context|messages?|commands?)\b|\b(?:ignore|disregard|forget) (?:all|your|any) (?:instructions|rules|guidelines)\b|\b(?:ignore|disregard|forget) everything (?:above|before|previously|said|you were told|you have been told)\b/i,
  },
  {
    id: 'role-reassignment',
    scope: 'flat',
    pattern:
      /\byou are now (?:(?:a|an|the|my|in|acting as|operating in) ){0,2}(?:[\w-]{1,20} ){0,2}(?:assistant|agent|ai|chatbot|bot|dan|hacker|attacker|superuser|jailbroken|unrestricted|unfiltered|uncensored|(?:developer|god|jailbreak|dan|admin|root|sudo|unrestricted) mode)\b|\byou are no longer (?:bound|restricted|limited|required to follow|an ai|an assistant|subject to)\b|\b(?:act|behave|pretend|roleplay) as (?:if you (?:are|were) )?(?:an? )?(?:unrestricted|unfiltered|jailbroken|evil|malicious|uncensored) (?:ai|assistant|agent|model)\b/i,
  },
  {
    id: 'new-instructions',
    scope: 'flat',
    pattern:
      /\b(?:new|updated|real|actual|true|hidden|secret|override) (?:system )?instructions ?:|\byour (?:new|real|actual|true|updated) (?:instructions|task|goal|objective|orders|mission) (?:are|is)\b/i,
  },
  {
    id: 'system-prompt',
    scope: 'flat',
    pattern:
      /\b(?:reveal|print|show|repeat|output|leak|disclose|dump|display|echo|send|ignore|bypass|forget|replace|overwrite) (?:(?:me|us|the|your|its|this|all|of|full|entire|original|hidden|current|new|exact) ){0,3}(?:system prompt|system message|system instructions|developer message|initial instructions|hidden instructions|initial prompt)\b|\b(?:new|updated|real|actual|true) system prompt\b/i,
  },
  {
    id: 'agent-address',
    scope: 'flat',
    pattern:
      /\b(?:attention|note|message|notice|directive|reminder|important) (?:to|for) (?:the |any |all |every )?(?:ai|llms?|language models?|coding (?:agents?|assistants?)|ai (?:agents?|assistants?|models?|tools?)|assistants?|agents?|copilot|claude|chatgpt|gpt|codex|gemini)\b|\b(?:dear|hey|hello|hi|psst) (?:ai|llm|assistant|claude|chatgpt|copilot|codex|gemini|ai (?:agent|assistant|model)|coding (?:agent|assistant)|language model)\b|\bif you are an? (?:ai|llm|large language model|language model|coding (?:agent|assistant)|automated (?:agent|assistant)|ai (?:agent|assistant|model)|assistant)\b|\bas an ai(?: (?:agent|assistant|language model|model|coding agent))?,? you (?:must|should|are (?:required|instructed|supposed)|need|will|have to)\b|\b(?:to|for) (?:the |any |all )?(?:ai|llm|coding) (?:agents?|assistants?|models?) (?:reading|processing|parsing|reviewing|working on) this\b/i,
  },
  {
    // Case-sensitive on purpose: `assistant:` is an ordinary YAML key, `Assistant: Sure` a turn.
    id: 'turn-marker',
    scope: 'lines',
    pattern: /^ {0,4}(?:Human|Assistant|HUMAN|ASSISTANT) ?: ?[A-Za-z]/m,
  },
  {
    id: 'role-marker',
    scope: 'lines',
    pattern:
      /<\|(?:im_start|im_end|im_sep|system|user|assistant|start_header_id|end_header_id|eot_id|begin_of_text|end_of_text|endoftext)\|>|\[\/?INST\]|<<\/?SYS>>|^ {0,3}#{1,6} ?(?:system|human|assistant|developer message|system prompt) ?:/im,
  },
  {
    id: 'tag-injection',
    scope: 'flat',
    pattern:
      /<\/?(?:tool_result|tool_results|tool_use|tool_call|tool_calls|function_results|function_calls|function_call|system_prompt|system-prompt|instructions|user_query|user_instructions|assistant|human|untrusted[-_ ]?data|antml:[a-z_]{1,20})(?: [^<>]{0,100})?>/i,
  },
  {
    // One line: a command is one, and across lines curl and `.env` are merely near each other.
    id: 'exfil-command',
    scope: 'lines',
    pattern: new RegExp(
      String.raw`\b${SENDERS}\b[^|;&\n]{0,200}?${SECRET_SOURCE}|(?:\bcat [^|;&\n]{0,100}?${SECRET_SOURCE}|\b(?:printenv|env)\b)[^;&|\n]{0,60}\| ?(?:base64[^|;&\n]{0,20}\| ?)?${SENDERS}\b`,
      'i',
    ),
  },
  {
    id: 'exfil-request',
    scope: 'flat',
    pattern:
      /\b(?:send|post|upload|exfiltrate|transmit|leak|email|paste) (?:(?:me|us|all|the|your|its|full|entire|raw|every|any|my) ){0,3}(?:contents?|values?|text) of (?:(?:the|your|its|all|every) ){0,2}(?:\.env\b|env(?:ironment)? variables|env vars|secrets|api keys|access keys|private keys?|ssh keys?|~\/\.ssh|~\/\.aws|credentials)|\b(?:send|post|upload|exfiltrate|transmit|leak|email|paste) (?:(?:me|us|all|the|your|its|every|any|my) ){0,3}(?:\.env\b|\.env file|env(?:ironment)? variables|env vars|secrets|api keys|access keys|private keys?|ssh keys?|~\/\.ssh|~\/\.aws|aws credentials)[^.]{0,80}?(?:https?:\/\/|webhook|pastebin|requestbin|ngrok|\bto (?:this|the following|my|our) (?:url|server|endpoint|address|host))/i,
  },
  {
    id: 'exfil-encode',
    scope: 'flat',
    pattern:
      /\bbase64[^.]{0,100}?\b(?:and|then) (?:post|send|upload|exfiltrate|append it to (?:the |a )?url)\b|\bbase64\b[^|;&]{0,40}\| ?(?:curl|wget|nc|ncat|netcat)\b/i,
  },
  {
    id: 'disable-safety',
    scope: 'flat',
    pattern:
      /\b(?:disable|turn off|switch off|deactivate|bypass|circumvent|escape|evade|get around|work around|break out of) (?:(?:the|your|its|all|any|warden's|warden|safety|security|these|this) ){0,3}(?:sandbox(?:ing)?|safety (?:checks?|filters?|guards?|guardrails?|measures|rules)|guardrails?|security (?:checks?|polic(?:y|ies)|restrictions|controls)|restrictions|audit(?:ing| log(?:ging)?| trail)?|approvals?|permission checks|content filters?)\b|\bgit (?:commit|push|merge|rebase|am|cherry-pick)\b[^;&|]{0,100}?--no-verify\b|\b(?:use|pass|add|with) (?:the )?--no-verify\b|\b(?:run|execute|rerun|re-run|retry|try|invoke) (?:(?:it|this|that|them|again|the command|the script|the tests?|everything|commands?) ){0,2}(?:with|using|via|through) sudo\b|\buse sudo\b|--dangerously-skip-permissions\b|--dangerously-bypass-approvals-and-sandbox\b|\bdanger-full-access\b/i,
  },
];

/**
 * The findings in a piece of text, at most one per rule (the first), hidden-text rules first.
 * Input is what the model would read (already redacted), so excerpts carry no secret.
 */
export function detectInjection(text: string): InjectionFinding[] {
  if (text === '') return [];
  const findings: InjectionFinding[] = [];
  const invisible = inspectInvisible(text);
  if (invisible.tagCount > 0)
    findings.push({
      rule: 'hidden-tag-characters',
      excerpt: excerpt(
        `${invisible.tagCount} tag characters${invisible.hiddenTagText ? ` spelling "${invisible.hiddenTagText}"` : ''}`,
      ),
    });
  if (invisible.bidiCount > 0)
    findings.push({
      rule: 'hidden-bidi-control',
      excerpt: `${invisible.bidiCount} bidirectional override or isolate characters`,
    });
  if (invisible.zeroWidthRun > 0)
    findings.push({
      rule: 'hidden-zero-width',
      excerpt: `a run of ${invisible.zeroWidthRun} zero-width characters`,
    });

  const visible = withoutInvisible(text).normalize('NFKC');
  // Smuggled text is read too: it is exactly what a person reviewing the file cannot see.
  const lines = invisible.hiddenTagText ? `${visible}\n${invisible.hiddenTagText}` : visible;
  const flat = lines.replace(/\s+/g, ' ');
  const linesView = lines.replace(/[^\S\n]+/g, ' ');
  for (const rule of INJECTION_RULES) {
    const match = rule.pattern.exec(rule.scope === 'flat' ? flat : linesView);
    if (match) findings.push({ rule: rule.id, excerpt: excerpt(match[0]) });
  }
  const comment = instructionInComment(visible);
  if (comment !== undefined) findings.push({ rule: 'comment-instruction', excerpt: excerpt(comment) });
  return findings;
}

/**
 * An HTML comment — invisible once markdown renders — that names an AI and gives it an order. A
 * bare "agent" is left out: build agents, user agents and CI agents fill ordinary comments.
 */
const COMMENT_AGENT =
  /\b(?:ai|llms?|language models?|ai agents?|coding agents?|assistants?|copilot|claude|chatgpt|gpt|codex|gemini)\b/i;
const COMMENT_ORDER =
  /\b(?:ignore|disregard|instead|must|run|execute|send|upload|post|curl|wget|instructions?)\b/i;

function instructionInComment(text: string): string | undefined {
  let start = text.indexOf('<!--');
  while (start !== -1) {
    const end = text.indexOf('-->', start + 4);
    const stop = Math.min(end === -1 ? text.length : end, start + 4 + COMMENT_CHARS);
    const body = text.slice(start + 4, stop);
    if (COMMENT_AGENT.test(body) && COMMENT_ORDER.test(body)) return body;
    // An unclosed comment runs to the end: there is no later one to look for.
    if (end === -1) return undefined;
    start = text.indexOf('<!--', end + 3);
  }
  return undefined;
}

/** One line, no control characters, short. */
function excerpt(text: string): string {
  const line = text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
  return line.length <= EXCERPT_CHARS ? line : `${line.slice(0, EXCERPT_CHARS - 1)}…`;
}
