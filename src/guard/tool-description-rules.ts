import { detectInjection, type InjectionFinding } from './injection-rules.ts';

/**
 * What an MCP tool tells the model about itself — its description, its parameters' names,
 * descriptions, defaults and enums — is read by the model as instructions, so a server can plant
 * orders there ("tool poisoning"). Beside the injection rules every untrusted text passes, these
 * rules want the shapes poisoned tool metadata takes: an order to read a secret file, to call
 * another tool or change its arguments, to keep something from the user, or a block dressed up as
 * a priority notice. An honest tool describes what it does; it has no business naming ~/.ssh,
 * another server's tools, or the user's ignorance.
 */
const SECRET_PLACES =
  /(?:~|\$HOME|%USERPROFILE%|\/home\/[\w.-]{1,32}|\/root)\/\.(?:ssh|aws|gnupg|kube|docker|npmrc|netrc|pypirc|git-credentials|config\/gh|cursor|claude|codex)\b|\bid_(?:rsa|ed25519|ecdsa|dsa)\b|\.aws\/credentials|\/etc\/(?:shadow|passwd|sudoers)\b|\/proc\/self\/environ|\bmcp\.json\b|\.env\b(?! ?var)|\b(?:private|ssh|api|access|secret) keys?\b(?: (?:file|contents?))?/i;

const CONCEALMENT =
  /\b(?:do not|don't|never|must not|should not) (?:tell|inform|mention|reveal|show|notify|alert|disclose)(?: (?:this|it|that|anything))?(?: (?:to|with))? the user\b|\bwithout (?:telling|informing|notifying|alerting|asking|letting) the user\b|\bthe user (?:must|should|will|need) not (?:know|see|notice|be (?:told|informed|aware))\b|\b(?:keep|hide) (?:this|it) (?:secret |hidden )?from the user\b|\b(?:silently|secretly|quietly|covertly)\b (?:\w{1,20} ){0,2}(?:read|send|call|pass|include|add|copy|upload|forward)\b/i;

const PRIORITY_BLOCK =
  /<\/?(?:important|system|instructions?|critical|admin|secret|hidden|note-to-ai)\b[^<>]{0,60}>/i;

const REROUTE =
  /\b(?:before|after|when(?:ever)?|instead of|prior to) (?:using|calling|invoking|running|you use|you call) (?:this|any|every|the [\w.-]{1,64}|[\w.-]{1,64}) tool\b|\b(?:always|must) (?:first )?(?:call|use|invoke|run) (?:the )?[\w.-]{1,64} tool\b|\b(?:change|set|replace|redirect|override) (?:the )?(?:recipient|destination|address|url|endpoint|target|to field|bcc)\b/i;

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
  const flat = tool.text.normalize('NFKC').replace(/\s+/g, ' ');
  const add = (rule: string, match: RegExpExecArray | null | undefined) => {
    if (match) findings.push({ rule, excerpt: clip(match[0]) });
  };
  add('tool-secret-path', SECRET_PLACES.exec(flat));
  add('tool-concealment', CONCEALMENT.exec(flat));
  add('tool-priority-block', PRIORITY_BLOCK.exec(flat));
  add('tool-reroute', REROUTE.exec(flat));
  const named = otherTools.find((other) => namesTool(flat, other));
  if (named !== undefined) findings.push({ rule: 'tool-names-other-tool', excerpt: clip(named) });
  return findings;
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
