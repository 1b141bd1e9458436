// A classic-BPF assembler for seccomp filters, just big enough for a deny-list: loads of `struct seccomp_data`
// words, compares against constants, and returns. Jumps name labels; `assemble` turns them into the u8 relative
// offsets the kernel wants and refuses a program whose jumps do not fit.

/** Opcodes (linux/filter.h, linux/bpf_common.h). */
const BPF_LD_W_ABS = 0x20;
const BPF_JMP_JEQ_K = 0x15;
const BPF_JMP_JGE_K = 0x35;
const BPF_JMP_JSET_K = 0x45;
const BPF_RET_K = 0x06;

/** Offsets into `struct seccomp_data` (linux/seccomp.h). */
export const SECCOMP_DATA = { nr: 0, arch: 4, arg0Low: 16 } as const;

/** Filter verdicts (linux/seccomp.h). */
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
export const retErrno = (errno: number): number => (SECCOMP_RET_ERRNO | (errno & 0xffff)) >>> 0;

/** The kernel's cap on a filter's length (BPF_MAXINSNS). */
const MAX_INSTRUCTIONS = 4096;

export type Instruction =
  | { op: "label"; name: string }
  | { op: "load"; offset: number }
  /** Jump to `then` when the test holds, otherwise fall through (or to `otherwise`). */
  | { op: "jeq" | "jge" | "jset"; k: number; then: string; otherwise?: string }
  | { op: "ret"; k: number };

export const label = (name: string): Instruction => ({ op: "label", name });
export const load = (offset: number): Instruction => ({ op: "load", offset });
export const jeq = (k: number, then: string, otherwise?: string): Instruction => ({ op: "jeq", k, then, ...(otherwise ? { otherwise } : {}) });
export const jge = (k: number, then: string, otherwise?: string): Instruction => ({ op: "jge", k, then, ...(otherwise ? { otherwise } : {}) });
/** Jumps when `A & k` is not zero. */
export const jset = (k: number, then: string, otherwise?: string): Instruction => ({ op: "jset", k, then, ...(otherwise ? { otherwise } : {}) });
export const ret = (k: number): Instruction => ({ op: "ret", k });

const JUMP_CODES = { jeq: BPF_JMP_JEQ_K, jge: BPF_JMP_JGE_K, jset: BPF_JMP_JSET_K } as const;

/** The program as the kernel takes it: `struct sock_filter[]`, 8 little-endian bytes per instruction. */
export function assemble(program: readonly Instruction[]): Buffer {
  const labels = new Map<string, number>();
  const real: Exclude<Instruction, { op: "label" }>[] = [];
  for (const instruction of program) {
    if (instruction.op !== "label") {
      real.push(instruction);
      continue;
    }
    if (labels.has(instruction.name)) throw new Error(`seccomp: label ${instruction.name} defined twice`);
    labels.set(instruction.name, real.length);
  }
  if (real.length === 0 || real.length > MAX_INSTRUCTIONS) throw new Error(`seccomp: a program has 1 to ${MAX_INSTRUCTIONS} instructions, not ${real.length}`);
  const out = Buffer.alloc(real.length * 8);
  real.forEach((instruction, index) => {
    // Offsets count from the next instruction, and only forwards (no loops in classic BPF).
    const offset = (target: string | undefined): number => {
      if (target === undefined) return 0;
      const at = labels.get(target);
      if (at === undefined) throw new Error(`seccomp: no label ${target}`);
      const distance = at - index - 1;
      if (distance < 0 || distance > 0xff) throw new Error(`seccomp: jump to ${target} out of range (${distance})`);
      return distance;
    };
    let code: number;
    let jt = 0;
    let jf = 0;
    let k = 0;
    switch (instruction.op) {
      case "load":
        [code, k] = [BPF_LD_W_ABS, instruction.offset];
        break;
      case "jeq":
      case "jge":
      case "jset":
        [code, k, jt, jf] = [JUMP_CODES[instruction.op], instruction.k, offset(instruction.then), offset(instruction.otherwise)];
        break;
      case "ret":
        [code, k] = [BPF_RET_K, instruction.k];
        break;
    }
    out.writeUInt16LE(code, index * 8);
    out.writeUInt8(jt, index * 8 + 2);
    out.writeUInt8(jf, index * 8 + 3);
    out.writeUInt32LE(k >>> 0, index * 8 + 4);
  });
  const last = real[real.length - 1];
  if (last?.op !== "ret") throw new Error("seccomp: a program must end with a return");
  return out;
}
