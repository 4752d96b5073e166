// No imports: the console's bundle reads this type through the events.

/** What happened to one server as the session opened, for the record (`mcp.server`). */
export interface ServerOutcome {
  server: string;
  transport: 'stdio' | 'http';
  status: 'connected' | 'failed' | 'declined' | 'refused';
  /** The tools offered to the model, as the policy names them. */
  tools: string[];
  /** Tools kept from the model, with why. */
  withheld: Array<{ tool: string; reason: string }>;
  /** Tools pinned in this session (first use, or a change a person accepted). */
  pinned: string[];
  detail?: string;
}
