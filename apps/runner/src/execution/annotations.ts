export interface Annotation {
  level: "error" | "warning" | "notice";
  message: string;
  stepIndex: number;
  file?: string;
  line?: number;
  col?: number;
  endLine?: number;
  endColumn?: number;
  title?: string;
}
