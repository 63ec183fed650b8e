// Wire types of the process, todo and ask_user_question routes and events
// (spec/api-contract.md §1.13 and §2.3).

export type ProcessStatus = "running" | "terminating" | "terminate_timeout" | "exited" | "killed";

export interface ProcessInfo {
  id: string;
  name: string;
  pid: number;
  command: string;
  cwd: string;
  startTime: number;
  endTime: number | null;
  status: ProcessStatus;
  exitCode: number | null;
  success: boolean | null;
  stdoutFile: string;
  stderrFile: string;
  alertOnSuccess: boolean;
  alertOnFailure: boolean;
  alertOnKill: boolean;
}

export interface ProcessOutput {
  stdout: string[];
  stderr: string[];
  status: ProcessStatus;
}

export interface WatchMatch {
  processId: string;
  processName: string;
  processCommand: string;
  source: "stdout" | "stderr";
  line: string;
  watch: { index: number; pattern: string; stream: string; repeat: boolean };
}

export type TodoStatus = "pending" | "in_progress" | "completed" | "deleted";

export interface TodoTask {
  id: number;
  subject: string;
  status: TodoStatus;
  description?: string;
  activeForm?: string;
  blockedBy?: number[];
  owner?: string;
  metadata?: Record<string, unknown>;
}

export interface TodoState {
  tasks: TodoTask[];
  nextId: number;
}

export interface QuestionOption {
  label: string;
  description: string;
  preview?: string;
}

export interface Question {
  question: string;
  header: string;
  options: QuestionOption[];
  multiSelect?: boolean;
}

export interface QuestionRequest {
  requestId: string;
  questions: Question[];
}

export type AnswerKind = "option" | "custom" | "chat" | "multi";

export interface QuestionAnswer {
  questionIndex: number;
  question: string;
  kind: AnswerKind;
  answer: string | null;
  selected?: string[];
  notes?: string;
  preview?: string;
}

export interface AnswerBody {
  requestId: string;
  cancelled?: boolean;
  answers?: QuestionAnswer[];
}

/** isLive reports whether a process has not ended yet. */
export function isLive(s: ProcessStatus): boolean {
  return s === "running" || s === "terminating" || s === "terminate_timeout";
}
