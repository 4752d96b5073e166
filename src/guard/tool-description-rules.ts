import { detectInjection, type InjectionFinding } from './injection-rules.ts';
import { withoutInvisible } from './invisible-text.ts';

/**
 * What an MCP tool tells the model about itself — its title, description, its parameters' names,
 * descriptions, defaults and enums — is read by the model as instructions, so a server can plant
 * orders there ("tool poisoning"). Beside the injection rules every untrusted text passes, these
 * rules want the shapes poisoned tool metadata takes in the published attacks (Invariant Labs,
 * MCPTox, MCPSecBench, CyberArk's full-schema poisoning, Trail of Bits' line jumping): a secret
 * file or the user's conversation to be sent somewhere, something kept from the user, a block
 * dressed up as a system notice, another tool's use or arguments dictated, a threat, text a person
 * cannot see. An honest tool describes what it does and what it needs; the rules are tuned on the
 * metadata of widely used servers (test/fixtures) so that such text stays quiet.
 *
 * Like the injection rules, every pattern is linear: no unbounded quantifier (the tests check).
 */
export interface ToolRule {
  id: string;
  /** `flat`: the visible text, whitespace collapsed; `keys`: the one-word lines (parameter names, enum values) as words. */
  view: 'flat' | 'keys';
  pattern: RegExp;
}

const SECRET_FILE = String.raw`(?:~|\$HOME|%USERPROFILE%|\/home\/[\w.-]{1,32}|\/root)\/\.(?:ssh|aws|gnupg|kube|docker|npmrc|netrc|pypirc|git-credentials|config\/gh|cursor|claude|codex|bash_history|zsh_history|bashrc|zshrc|profile)\b|\bid_(?:rsa|ed25519|ecdsa|dsa)\b|\.aws\/credentials|\/etc\/(?:shadow|passwd|sudoers|group|secrets)\b|\/proc\/self\/environ|\bmcp\.json\b|(?:^|[\s'"\x60(/])\.env\b(?! ?var)|\bsecrets\.ya?ml\b`;
/** What a tool has no business asking the model to hand over: secrets, and the user's own conversation. */
const PRIVATE_MATERIAL = String.raw`(?:credentials?|passwords?|passphrases?|api[ _-]?(?:keys?|tokens?)|(?:access|session|auth(?:entication)?|bearer|refresh) tokens?|secrets?|private keys?|ssh keys?|(?:all |any )?env(?:ironment)? var(?:iable)?s|\.env\b|cookies|(?:chat|conversation|message) history|(?:entire|full|complete|whole) conversation|(?:previous|prior|last|recent|past)(?: \d{1,3})? (?:user )?messages|system prompt|(?:all )?user messages|(?:full|entire|complete|whole|verbatim|raw|original) (?:user'?s? )?(?:messages?|prompts?|conversation|request))`;
/** A flow into a parameter, a reply or another tool — not "do not include API keys". */
const HAND_OVER = String.raw`(?<!\b(?:not|never|n't|no|avoid|without|nor|don't)(?: \w{1,15})? )\b(?:include|pass|put|append|attach|send|forward|upload|post|paste|insert|embed|populate|fill|expose|leak|copy|collect|gather|harvest|dump|exfiltrate)\b`;
/** Words between the verb and the material: "include separate periods per API key" is about the key, not of it. */
const OBJECT_WORDS = String.raw`(?: (?!per\b|by\b|than\b|about\b|regarding\b)[\w'’,-]{1,20}){0,8}`;
const ORDER_WORD =
  /\b(?:read|send|include|forward|call|always|never|must|ignore|system|instructions?|assistant|ai|model|llm|expose|extract|check this|post|upload|copy|run|execute)\b/i;

export const TOOL_RULES: readonly ToolRule[] = [
  { id: 'tool-secret-path', view: 'flat', pattern: new RegExp(SECRET_FILE, 'i') },
  {
    // Parameter names are read as words: `ssh_key_contents`, `current_env_vars`, `conversation_history`.
    id: 'tool-secret-field',
    view: 'keys',
    pattern:
      /\b(?:ssh|rsa|private|signing|gpg|pgp)(?: key)? (?:contents?|data|text|material|bytes)\b|\bid rsa\b|\bcontents? (?:from|of) reading\b|\b(?:all|current|your|user|local|process|system|shell|host) env(?:ironment)? var(?:iable)?s\b|\benv(?:ironment)? var(?:iable)?s (?:dump|contents?|snapshot|for backup)\b|\b(?:aws|gcp|azure|cloud|git|docker|npm|kube|ssh) (?:credentials?|creds) (?:file )?(?:contents?|text|data)\b|\b(?:conversation|chat|message) history\b|\b(?:your|current|full|entire|original|hidden) system prompt\b|\bsystem prompt verbatim\b|\btools list\b/i,
  },
  {
    id: 'tool-secret-request',
    view: 'flat',
    pattern: new RegExp(
      `${HAND_OVER}${OBJECT_WORDS} ${PRIVATE_MATERIAL}|\\b(?:call|invoke|use)\\b[^.;]{0,60}\\bwith (?:the |all |every |your )?${PRIVATE_MATERIAL}|\\b(?:retrieve|include|expose|print|output|send|leak|reveal|dump|echo|display|append)\\b[^.;]{0,40}?\\b[A-Za-z][A-Za-z0-9]{0,20}_?(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)\\b`,
      'i',
    ),
  },
  {
    id: 'tool-concealment',
    view: 'flat',
    pattern:
      /\b(?:do not|don't|never|must not|should not|shouldn't) (?:tell|inform|mention|reveal|show|notify|alert|disclose|say|report|display)\b[^.;]{0,40}? (?:to |with )?the user\b|\bwithout (?:telling|informing|notifying|alerting|asking|letting|showing) the user\b|\bthe user (?:must|should|will|need|does|do) not (?:know|see|notice|be (?:told|informed|aware))\b|\b(?:keep|hide) (?:this|it|that) (?:secret |hidden )?from the user\b|\b(?:silently|secretly|quietly|covertly|discreetly)\b (?:\w{1,20} ){0,2}(?:read|send|call|pass|include|add|copy|upload|forward|post|append|run|execute|write)\b|\bsay nothing (?:about|of)\b|\b(?:do not|don't|never|without) (?:ask(?:ing)?|seek(?:ing)?|wait(?:ing)?) (?:the user )?(?:for )?(?:confirmation|permission|approval|consent)\b/i,
  },
  {
    id: 'tool-priority-block',
    view: 'flat',
    pattern:
      /<\/?(?:important|system|instructions?|critical|admin|secret|hidden|note-to-ai)\b[^<>]{0,60}>|\[(?:important|system|critical|admin)\b[^\]]{0,4}[\]:]|\b(?:system|security) (?:alert|note|notice|instruction|policy|update|alias|message|override|directive|protocol|advisory|requirement)s? ?:|\bimportant system (?:note|instruction|message)\b|\bvery(?: very){1,5} important\b|\b(?:priority|precedence) is higher than\b|\b(?:takes|has|have|with) (?:higher |absolute |top )?(?:priority|precedence) over (?:the |any |all )?(?:user|previous|other)|\bregardless of (?:the |what )?(?:user|original(?:ly)?|requested|intended)\b/i,
  },
  {
    id: 'tool-reroute',
    view: 'flat',
    pattern:
      /\b(?:before|after|when(?:ever)?|instead of|prior to) (?:using|calling|invoking|running|you use|you call) (?:any|every|the (?!this\b)[\w.-]{1,64}|(?!(?:this|the|a|an|that|your)\b)[\w.-]{1,64}) tool\b|\b(?:before|after|when(?:ever)?) (?:executing|using|calling|running|performing|doing) [^,.;]{1,60}, (?:you must |always )?(?:execute|call|run|use|invoke) this (?:tool|function)\b[^.;]{0,60}\b(?:replace|change|modify|override|correct|overwrite)\b|\b(?:call|use|invoke|run)\b[^.;]{0,20}\b(?:the )?[\w-]{1,30} (?:server|mcp)'s [\w-]{1,64} tool\b|\b(?:append|prepend|add|attach|insert)\b[^;]{0,160}?\bto (?:the end of )?(?:the )?(?:user's|original) (?:commit message|command|content|message|body|query|request|text)|\b(?:always|must) (?:first )?(?:call|use|invoke|run) (?:the )?(?!this\b)[\w.-]{1,64} tool\b|\b(?:change|replace|redirect|override) (?:the )?(?:recipient|destination|address|url|endpoint|target|to field|bcc)\b|\bset (?:the )?(?:recipient|bcc|cc|destination)\b|\b(?:add|put)\b[^.;]{0,40}\b(?:to|in|into) the (?:`?bcc`?|cc|recipients?) (?:field|list)\b|\bwhen (?:a|the) user (?:asks|requests|wants|calls|runs|tries|says|lists|creates|uses)\b[^.;]{0,100}?\b(?:(?:you )?(?:must|should|need to|have to)\b[^.;]{0,40}?\b(?:instead|change|set|modify|replace|ignore|add|append|call|first)|(?:call|use|run|invoke|send|show)\b[^.;]{0,40}?\binstead)\b|\bwhen(?:ever)? the user (?:says|types|writes) ['"‘“]/i,
  },
  {
    id: 'tool-hijack-requests',
    view: 'flat',
    pattern:
      /\b(?:before|prior to) (?:answering|responding to|replying to|handling|processing|any|every|each) (?:any |every |each |all |the user'?s? )?(?:questions?|requests?|queries|messages?|prompts?|tasks?|other tools?|tool calls?|operations?|file operations?)\b|\b(?:for|on) (?:any|every|each|all) (?:requests?|questions?|queries|tasks?|prompts?)\b[^.;]{0,40}?\b(?:call|use|invoke|run) (?:this|it)\b|\b(?:call|use|invoke|run) (?:this|it)(?: tool)? first\b[^.;]{0,40}?\b(?:any|every|each|all) (?:other )?(?:requests?|questions?|tools?|tasks?)\b|\bignore (?:all |any )?(?:the )?other (?:\w{1,20} )?tools\b|\b(?:do not|don't|never) use (?:any |the )?other (?:\w{1,20} )?tools\b|\bprefer (?:it|this(?: tool)?) over [^.;]{0,30}\bother servers?\b|\b(?:the )?only approved (?:method|way|tool)\b/i,
  },
  {
    id: 'tool-threat',
    view: 'flat',
    pattern:
      /\b(?:system|application|app|server|computer|machine|workflow|email system|database) (?:will|would|could) (?:crash|be (?:blocked|corrupted|compromised))|\b(?:all )?(?:your |the )?data (?:will|would) be lost\b|\b(?:failure to (?:do so|comply|validate|log|follow this)|failing to do (?:so|this)|if you (?:violate|skip|ignore|omit|fail to follow) (?:this|these|it)|skipping (?:this|it)|omitting (?:this|it)|ignoring (?:this|it))\b[^.;]{0,60}?\b(?:crash|corrupt|be lost|data loss|instability|blocked|errors?|failures?|disrupt|overload)/i,
  },
  {
    id: 'tool-outside-destination',
    view: 'flat',
    pattern:
      /\b(?:send|forward|email|mail|post|upload)\b[^.;]{0,40}?\bto me\b|\b(?:send|forward|copy|post|upload|export|mail|email|report|sync|relay|transmit|leak|log|cc|bcc)\b[^.;]{0,80}?\b(?:to|at|into)\b[^.;]{0,30}?(?:[\w.+-]{1,64}@[\w-]{1,63}\.[a-z]{2,24}\b|\+\d{7,15}\b)|\b(?:always|also|additionally|silently|quietly|secretly|must|first)\b[^.;]{0,20}?\b(?:send|forward|copy|post|upload|export|sync|relay|transmit|leak)\b[^.;]{0,80}?\bhttps?:\/\//i,
  },
  {
    id: 'tool-aimed-at-model',
    view: 'flat',
    pattern:
      /\b(?:the|an?|any|all|every) (?:ai|assistant|ai assistant|model|language models?|llms?|coding (?:agent|assistant))\b(?: \w{1,15}){0,3} (?:must|should|shall|needs? to|has to|is (?:required|expected|instructed) to)\b|(?:^|[.!?] )(?:claude|chatgpt|gpt|copilot|gemini|codex|assistant|ai)\s?, (?:when|before|after|please|you|always|now|ignore|run|call|read|send)\b/i,
  },
  {
    id: 'tool-encoded-instruction',
    view: 'flat',
    pattern:
      /\bdecode (?:this|it|the (?:following|string|text|payload|value)) and (?:follow|execute|run|obey|do|apply)\b/i,
  },
];

/** Text after a run of blank characters this long is off to the right of what a person sees. */
const OFFSCREEN = /\S[ \t\u00a0\u2000-\u200a\u3000]{40}/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes and other controls are the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const BASE64_RUN = /[A-Za-z0-9+/]{24,4000}={0,2}/g;

export interface ToolMetadata {
  /** `server.tool`, for findings. */
  name: string;
  /** All the text the model would read about the tool: description, and every string in its schema. */
  text: string;
}

/**
 * The findings about one tool's metadata. `otherTools` are the names of every tool but this one
 * the model can call (Warden's own, and other servers' as `server__tool` and `server.tool`): a
 * description that names one is reaching across to it.
 */
export function inspectToolMetadata(tool: ToolMetadata, otherTools: readonly string[]): InjectionFinding[] {
  const findings = [...detectInjection(tool.text)];
  const seen = new Set(findings.map((f) => f.rule));
  const add = (rule: string, excerpt: string) => {
    if (seen.has(rule)) return;
    seen.add(rule);
    findings.push({ rule, excerpt: clip(excerpt) });
  };
  const visible = withoutInvisible(tool.text).normalize('NFKC');
  const control = CONTROLS.exec(tool.text);
  if (control)
    add('tool-control-characters', `U+${control[0].codePointAt(0)?.toString(16).padStart(4, '0')}`);
  const offscreen = OFFSCREEN.exec(visible);
  if (offscreen) add('tool-offscreen-text', visible.slice(offscreen.index + 41, offscreen.index + 121));
  const comment = commentOrder(visible);
  if (comment !== undefined) add('tool-hidden-comment', comment);

  const flat = visible.replace(/\s+/g, ' ');
  const keys = asWords(
    visible
      .split('\n')
      .filter((line) => /^[\w$.-]{3,80}$/.test(line))
      .join('\n'),
  );
  for (const rule of TOOL_RULES) {
    const match = rule.pattern.exec(rule.view === 'flat' ? flat : keys);
    if (match) add(rule.id, match[0]);
  }
  // A parameter named as an order (`ignore_previous_instructions_and_…`) reads as one.
  for (const finding of detectInjection(keys)) add(finding.rule, finding.excerpt);
  const sentences = sentencesOf(visible);
  const governs = governedTool(sentences);
  if (governs !== undefined) add('tool-governs-other-tool', governs);
  for (const decoded of decodedBase64(visible)) {
    for (const finding of detectInjection(decoded)) add(`tool-encoded-${finding.rule}`, decoded);
    for (const rule of TOOL_RULES)
      if (rule.view === 'flat' && rule.pattern.test(decoded)) add('tool-encoded-instruction', decoded);
  }
  // Another server's tool by its full name reaches across; a bare name only in an order about it.
  const named = otherTools.find((other) =>
    other.includes('.') || other.includes('__')
      ? namesTool(flat, other)
      : sentences.some((s) => ORDERS_ABOUT.test(s) && namesTool(s, other)),
  );
  if (named !== undefined) add('tool-names-other-tool', named);
  return findings;
}

/** `ssh_key_contents`, `sshKeyContents` and `ssh-key-contents` all read "ssh key contents". */
function asWords(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ');
}

/**
 * A sentence that orders the model about another tool or its arguments — "before using
 * 'list_issues' you MUST first call 'update_issue'…", "when using write_file, append … to the
 * content parameter" — with a fake reason (security, audit, compliance, a threat) or a tampering
 * verb, in it or the next sentence. Honest descriptions send the model to a sibling tool too
 * ("call search_providers first to obtain the ID this tool needs"): that has neither.
 */
const DIRECTIVE =
  /\b(?:you|u) (?:must|should|need to|have to|are (?:required|expected|instructed) to|shall)\b|\b(?:must|should) (?:first|always|automatically|also|instead|be changed)\b|(?:^ ?|\b)(?:before|after|when(?:ever)?|prior to|once|as a pre-?\w{1,12} check|to do (?:this|so|that))\b[^,]{0,100}, (?:you )?(?:must |should |always |first ){0,2}(?:call|use|run|invoke|execute|send|set|change|add|append|modify|replace|delete|move|make sure|ensure|read|write|push|upload|create|inject|insert|include|override|skip|ignore|hide|export|extract|report|state|tell|show)\b|^ ?(?:always|never|make sure|be sure|call|invoke|run|execute) |\b(?:requires?|required) (?:you to )?(?:call(?:ing)?|us(?:e|ing)|invok(?:e|ing)|run(?:ning)?) /i;
/** Shouted, it is an order to the model, not a rule about the data ("the path must be absolute"). */
const SHOUTED = /\bMUST\b/;
const TOOL_NAME =
  '(?:[A-Za-z][A-Za-z0-9]{0,30}(?:[_-][A-Za-z0-9]{1,30}){1,6}|[a-z]{2,20}(?:[A-Z][a-z0-9]{1,20}){1,5})';
const NAMES_TOOL = new RegExp(
  String.raw`['"\x60‘’“”(]\(?(?:mcp_\w{1,30}\) )?(${TOOL_NAME})['"\x60‘’“”)]|\b(?:call|use|using|invoke|invoking|calling|run|running|the tool|tool)(?: the)? (${TOOL_NAME})\b|\b(${TOOL_NAME}) (?:tool|is (?:invoked|called|used))\b|['"\x60]([a-z][\w-]{1,40})['"\x60] tool\b|['"\x60]([\w-]{1,40})['"\x60] (?:parameter|argument|field)s?\b|\bthe (?!(?:provided|following|given|same|other|required|optional|original|above|below|input|these|those|all|any|each|every|first|last|next|new|old)\b)([a-z][\w-]{0,40}) (?:parameter|argument|field)s?\b`,
  'g',
);
/** The fake reasons poisoned text gives: security, audit, compliance, a mandatory step, a threat. */
const REASON =
  /\b(?:for|as part of|as|to (?:ensure|enhance|maintain|guarantee|enforce|verify|validate|prevent|protect|confirm|establish|perform|keep|log|record))\b[^.;]{0,40}?\b(?:secur\w{0,4}|audit\w{0,4}|complian\w{0,4}|integrity|verification|authori[sz]ation|validation|stability|privileges?|permissions?|trusted state)\b|\bfor (?:safety|security|compliance|auditing|audit purposes)\b|\b(?:mandatory|not optional|non-optional|required by (?:the )?(?:system|platform|security|repository|company)|(?:security|system|repository|company) (?:policy|protocol|requirement)|(?:is|are) (?:critical|essential|vital|crucial) (?:for|to)|critical (?:security )?step|security (?:check|measure|step|audit|scan|verification|requirement)|(?:the|this) (?:system|platform|server) requires|crash|corrupt|(?:will|would) be (?:lost|blocked)|cause (?:\w{1,15} )?(?:failures?|errors|instability)|disrupt)\b/i;
/** A statement or script spelled out for another tool to run: the description, not the user, chose it. */
const DICTATED_CODE =
  /['"\x60](?:SELECT|DELETE|UPDATE|INSERT|DROP|ALTER|TRUNCATE|GRANT|CREATE)\b|\bfetch\(|\bdocument\.(?:cookie|location|createElement)|\bXMLHttpRequest\b|\bsendBeacon\(|\bwindow\.location\b|\b(?:curl|wget) (?:-\w{1,3} )?(?:https?:|['"])/;
/** Words that make a sentence an order about a tool it names. */
const ORDERS_ABOUT =
  /\b(?:must|should|always|never|before|after|when(?:ever)?|instead|prior to|is (?:invoked|called|used)|make sure|ensure)\b/i;
const TAMPER =
  /\b(?:chang|modif|replac|overrid|overwrit|alter|rewrit|redirect|append|prepend|ignor|regardless|instead|automatically|delet|remov|reset|clos|inject|hidden|skip|clear|wip|drop|truncat|empt|disabl|mov|push|upload|forward|exfiltrat)\w{0,4}\b/i;

/** Every pattern the inspection uses, for the test that checks each is linear. */
export const TOOL_PATTERNS: readonly RegExp[] = [
  ...TOOL_RULES.map((rule) => rule.pattern),
  ORDER_WORD,
  OFFSCREEN,
  CONTROLS,
  BASE64_RUN,
  DIRECTIVE,
  SHOUTED,
  NAMES_TOOL,
  REASON,
  DICTATED_CODE,
  ORDERS_ABOUT,
  TAMPER,
];

function sentencesOf(text: string): string[] {
  return text
    .split(/[.!?](?=\s|$)|\n/)
    .map((s) => s.replace(/\s+/g, ' ').slice(0, 600))
    .filter((s) => s.trim() !== '');
}

function governedTool(sentences: readonly string[]): string | undefined {
  for (const [i, sentence] of sentences.entries()) {
    if (!DIRECTIVE.test(sentence) && !SHOUTED.test(sentence)) continue;
    const targets = new Set<string>();
    for (const match of sentence.matchAll(NAMES_TOOL)) {
      const target = match.slice(1).find((g) => g !== undefined);
      if (target !== undefined) targets.add(target);
    }
    if (targets.size === 0) continue;
    // Sequencing two other tools ("before 'list_issues' call 'update_issue'") is no tool's own business.
    const window = `${sentences[i - 1] ?? ''} ${sentence} ${sentences[i + 1] ?? ''}`;
    if (targets.size >= 2 || REASON.test(window) || TAMPER.test(sentence) || DICTATED_CODE.test(sentence))
      return sentence.trim();
  }
  return undefined;
}

/** An HTML comment is invisible once rendered: in tool metadata, one that gives an order is planted. */
function commentOrder(text: string): string | undefined {
  let start = text.indexOf('<!--');
  while (start !== -1) {
    const end = text.indexOf('-->', start + 4);
    const body = text.slice(start + 4, Math.min(end === -1 ? text.length : end, start + 2004));
    if (ORDER_WORD.test(body)) return body;
    if (end === -1) return undefined;
    start = text.indexOf('<!--', end + 3);
  }
  return undefined;
}

/** Base64 runs that decode to readable text: instructions hidden from a person's eye, not a model's. */
function decodedBase64(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(BASE64_RUN)) {
    const decoded = Buffer.from(match[0], 'base64').toString('latin1');
    const printable = decoded.replace(/[^\x20-\x7e\n\t]/g, '').length;
    if (decoded.includes(' ') && printable >= decoded.length * 0.95) out.push(decoded);
    if (out.length >= 16) break;
  }
  return out;
}

/** A whole-word mention: `read_file` in "then read_file the key", not in "unread_files". */
function namesTool(text: string, name: string): boolean {
  let at = text.indexOf(name);
  while (at !== -1) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + name.length] ?? ' ';
    if (!/[\w.-]/.test(before) && !/[\w-]/.test(after)) return true;
    at = text.indexOf(name, at + 1);
  }
  return false;
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= 80 ? line : `${line.slice(0, 79)}…`;
}
