/** The kinds of evidence a report gathers; each control names those that answer it. */
export type EvidenceSection =
  | 'policies'
  | 'approvals'
  | 'denials'
  | 'network'
  | 'verification'
  | 'keys'
  | 'sessions'
  | 'access';

export interface Control {
  id: string;
  title: string;
  /** What the control asks for, in a line, and how Warden's records answer it. */
  asks: string;
  answer: string;
  evidence: EvidenceSection[];
}

export const FRAMEWORKS = ['soc2', 'iso27001', 'eu-ai-act'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export const FRAMEWORK_TITLES: Record<Framework, string> = {
  soc2: 'SOC 2 (AICPA Trust Services Criteria, 2017, revised points of focus 2022)',
  iso27001: 'ISO/IEC 27001:2022, Annex A',
  'eu-ai-act': 'EU AI Act (Regulation (EU) 2024/1689)',
};

/** How each framework's controls map to what Warden records. Only controls the records can speak to. */
export const CONTROLS: Record<Framework, Control[]> = {
  soc2: [
    {
      id: 'CC6.1',
      title: 'Logical access security',
      asks: 'Access to information assets is restricted to what is authorised, by least privilege.',
      answer:
        'Every action of every agent session was judged by a named, digested policy; people reach the server in roles, by team.',
      evidence: ['policies', 'access', 'keys'],
    },
    {
      id: 'CC6.6',
      title: 'Boundary protection',
      asks: 'Logical access from outside the system boundary is restricted and monitored.',
      answer:
        'Agents run with no route out but the allow-listing proxy; every connection and every refusal is on record.',
      evidence: ['network', 'denials'],
    },
    {
      id: 'CC7.2',
      title: 'Monitoring for anomalies',
      asks: 'System components are monitored for anomalies indicative of malicious acts or errors.',
      answer:
        'Denied actions are recorded with the rule that refused them; every audit log of the period was verified.',
      evidence: ['denials', 'verification', 'sessions'],
    },
    {
      id: 'CC8.1',
      title: 'Change management',
      asks: 'Changes are authorised, documented and approved before they take effect.',
      answer:
        'The policies in force and each change of them (by digest) over the period; actions that needed a person, and who approved them.',
      evidence: ['policies', 'approvals'],
    },
  ],
  iso27001: [
    {
      id: 'A.5.15',
      title: 'Access control',
      asks: 'Rules to control access to information and assets are established and implemented.',
      answer:
        'The one-page policies in force, their digests, and the people and roles that reach the server.',
      evidence: ['policies', 'access'],
    },
    {
      id: 'A.8.2',
      title: 'Privileged access rights',
      asks: 'Privileged access is restricted and managed.',
      answer:
        'Actions beyond the policy needed a person: each approval, who gave it and when; admins and approvers by team.',
      evidence: ['approvals', 'access'],
    },
    {
      id: 'A.8.15',
      title: 'Logging',
      asks: 'Logs of activities, exceptions and events are produced, stored, protected and analysed.',
      answer:
        'Each session writes a hash-chained log with signed digests; every log of the period was verified, under the key ids listed.',
      evidence: ['verification', 'keys', 'sessions'],
    },
    {
      id: 'A.8.16',
      title: 'Monitoring activities',
      asks: 'Networks, systems and applications are monitored for anomalous behaviour.',
      answer: 'Denials and refused connections, with the rule that decided each, and the approvals asked.',
      evidence: ['denials', 'network', 'approvals'],
    },
  ],
  'eu-ai-act': [
    {
      id: 'Art. 12',
      title: 'Record-keeping',
      asks: 'High-risk AI systems allow the automatic recording of events (logs) over their lifetime.',
      answer:
        'Every session of the period has an automatically written, tamper-evident log; each was verified.',
      evidence: ['sessions', 'verification', 'keys'],
    },
    {
      id: 'Art. 14',
      title: 'Human oversight',
      asks: 'Natural persons can oversee the system, decide not to use its output, and intervene.',
      answer:
        'What the policy did not allow went to a person: each question, the answer, and who gave it; denials stopped the action.',
      evidence: ['approvals', 'denials'],
    },
    {
      id: 'Art. 15',
      title: 'Accuracy, robustness and cybersecurity',
      asks: 'The system is resilient against attempts to alter its use or behaviour by exploiting vulnerabilities.',
      answer:
        'Least-privilege policies, network confinement and refusals of what injected instructions attempted, on record.',
      evidence: ['policies', 'denials', 'network', 'verification'],
    },
  ],
};
