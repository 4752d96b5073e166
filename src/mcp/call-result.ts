import { keepHeadAndTail } from '../tools/head-tail.ts';

/** Past this, a server's answer keeps its head and tail, as command output does. */
export const MAX_RESULT_BYTES = 64 * 1024;

/** One block of an MCP result (`tools/call`, `resources/read`, `prompts/get`), as the SDK parses it. */
type Block = { type?: string; [key: string]: unknown };

/**
 * A server's answer as text the model reads. Text passes as is; images, audio and binary
 * resources are named with their type and size (their bytes are not for the model); structured
 * content is kept as JSON when the server gave no text. Redact before cutting: `redact` is applied
 * to the whole, so a secret across the cut still matches.
 */
export function resultText(
  blocks: readonly Block[],
  structured: unknown,
  redact: (text: string) => string = (text) => text,
  maxBytes = MAX_RESULT_BYTES,
): string {
  const parts = blocks.map(blockText);
  if (structured !== undefined && !blocks.some((block) => block.type === 'text'))
    parts.push(JSON.stringify(structured, null, 2));
  const text = redact(parts.join('\n'));
  return keepHeadAndTail(text, maxBytes).text;
}

function blockText(block: Block): string {
  switch (block.type) {
    case 'text':
      return String(block.text ?? '');
    case 'image':
    case 'audio':
      return `[${block.type} ${String(block.mimeType ?? '')}, ${base64Bytes(block.data)} bytes, not shown]`;
    case 'resource_link':
      return `[resource ${String(block.uri ?? '')}${block.name ? ` (${String(block.name)})` : ''}]`;
    case 'resource':
      return resourceText(block.resource as Block | undefined);
    default:
      return `[${String(block.type ?? 'unknown')} content, not shown]`;
  }
}

/** A resource's contents (`resources/read`, or embedded in a result). */
export function resourceText(resource: Block | undefined): string {
  if (!resource) return '';
  if (typeof resource.text === 'string') return `resource ${String(resource.uri ?? '')}:\n${resource.text}`;
  return `[resource ${String(resource.uri ?? '')} ${String(resource.mimeType ?? '')}, ${base64Bytes(resource.blob)} bytes of binary, not shown]`;
}

function base64Bytes(data: unknown): number {
  return typeof data === 'string' ? Math.floor((data.replace(/=+$/, '').length * 3) / 4) : 0;
}
