/**
 * The page the callback shows when it signs no one in: a title, why in words, and a way back. The
 * console's own stylesheet, no script; every piece of text escaped (a provider's group names and
 * error descriptions are not ours).
 */
export function refusalPage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · Warden</title>
<link rel="icon" href="/console/icon.svg">
<link rel="stylesheet" href="/console/base.css">
<link rel="stylesheet" href="/console/layout.css">
<link rel="stylesheet" href="/console/pages.css">
</head>
<body>
<div class="login">
<div class="login-card" data-refusal>
<div class="brand big"><span class="mark" aria-hidden="true"></span>Warden</div>
<h1>${escapeHtml(title)}</h1>
<p class="callout error" role="alert">${escapeHtml(message)}</p>
<p><a class="button" href="/">Back to the sign-in page</a></p>
</div>
</div>
</body>
</html>
`;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
