/** Users, teams and API tokens: who may call the API, in which role, spending which budget. */

export const ROLES = ['admin', 'operator', 'viewer', 'approver'] as const;
export type Role = (typeof ROLES)[number];

export interface TeamRecord {
  id: string;
  /** Tokens (input + output) the team's tasks may spend in total; undefined for no limit. */
  budgetTokens: number | undefined;
  /** USD the team's tasks may spend in total; undefined for no limit. */
  budgetCost: number | undefined;
  /** Tasks of the team running at once; undefined for the server's limit only. */
  concurrency: number | undefined;
  /** Repository roots the team may start tasks in; undefined for every root the server allows. */
  repositories: string[] | undefined;
  /** Policy names the team may run tasks under; undefined for every server policy. */
  policies: string[] | undefined;
  createdAt: string;
}

export interface UserRecord {
  id: string;
  team: string;
  role: Role;
  createdAt: string;
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  /** SHA-256 of the secret part, hex; the secret itself is never stored. */
  hash: string;
  createdAt: string;
  revokedAt: string | undefined;
}

export interface AccountStore {
  createTeam(team: Omit<TeamRecord, 'createdAt'>): Promise<TeamRecord>;
  getTeam(id: string): Promise<TeamRecord | undefined>;
  listTeams(): Promise<TeamRecord[]>;
  createUser(user: Omit<UserRecord, 'createdAt'>): Promise<UserRecord>;
  /** Moves a user to another team or role (single sign-on does, as the provider's groups change). */
  updateUser(id: string, fields: Pick<UserRecord, 'team' | 'role'>): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  createToken(token: Omit<TokenRecord, 'createdAt' | 'revokedAt'>): Promise<TokenRecord>;
  getToken(id: string): Promise<TokenRecord | undefined>;
  revokeToken(id: string): Promise<boolean>;
  close(): Promise<void>;
}
