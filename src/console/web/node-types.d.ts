// The console reads the agent's event and report types (src/agent/events.ts), which reach two Node
// types through the tool contract. They are declared here as types only: browser code that tried
// to use a Node value (Buffer.from, node:fs) still fails to type-check.
declare module 'node:fs' {
  export type Stats = Record<string, unknown>;
}
type Buffer = Uint8Array;
