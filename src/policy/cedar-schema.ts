/**
 * The Cedar schema every compiled policy is validated against: who acts (the agent, or a user on
 * a shared server), the acts, and what each act is about. `plant` is a write judged again as a
 * file that runs later, outside the sandbox; its path is case-folded. An MCP call's arguments are
 * the tags of `context.args` (Cedar's map: a record type is closed, so rules on argument names the
 * schema cannot list would validate as impossible); `json` lists the paths whose value is not a string,
 * and the tags of `readings` what a lenient server could read each as (`true`, `false`, numbers).
 */
export const CEDAR_SCHEMA = `
entity Agent;
entity User;
entity File = { path: String };
entity Command = { line: String, name: String };
entity Host = { name: String, port: Long, ip: Bool };
entity Package = { ecosystem: String, name: String };
entity Branch = { name: String };
entity PullRequest = { base: String, head: String };
entity Secret = { name: String };
entity McpTool = { server: String, name: String, folded_name: String };
entity McpArguments = { json: Set<String>, readings: McpReadings } tags String;
entity McpReadings tags Set<String>;

action read, write, plant appliesTo { principal: [Agent, User], resource: File };
action shell appliesTo { principal: [Agent, User], resource: Command };
action connect appliesTo { principal: [Agent, User], resource: Host };
action add_dependency appliesTo { principal: [Agent, User], resource: Package };
action push appliesTo { principal: [Agent, User], resource: Branch, context: { force: Bool } };
action open_pull_request appliesTo { principal: [Agent, User], resource: PullRequest };
action use_secret appliesTo { principal: [Agent, User], resource: Secret, context: { act: String } };
action mcp_call appliesTo { principal: [Agent, User], resource: McpTool, context: { args: McpArguments } };
`;
