/**
 * The i386 CPU, one file per concern. {@link dev.kjump.machine.cpu.Cpu} is its public face; the parts are
 * package-private classes of static methods over one {@code ArchState}, as Bochs' and blink's handlers work on
 * their CPU structure:
 *
 * <table>
 *   <caption>Where things live</caption>
 *   <tr><td>{@code X86}</td><td>architectural numbers: register indexes, EFLAGS/CR bits, vectors</td></tr>
 *   <tr><td>{@code ArchState}</td><td>the ground floor: registers, EIP, EFLAGS with lazy flags and condition
 *       codes, segment registers with their descriptor cache (base, limit, attributes, DPL), CR0/CR4, DRs,
 *       GDTR/IDTR, the instruction count</td></tr>
 *   <tr><td>{@code Decoder}</td><td>prefixes, opcode maps, ModRM/SIB, immediates into an {@code Insn}</td></tr>
 *   <tr><td>{@code Interpreter}</td><td>the fetch-execute loop, the decode cache, the one opcode dispatch
 *       ({@code exec}) and its 32-bit fast path, exception delivery on faults, interrupts and timers at
 *       instruction boundaries (IF, the STI/MOV SS shadow), HLT sleeping in virtual time</td></tr>
 *   <tr><td>{@code Operands}</td><td>memory by linear address, registers by size, effective addresses, LEA</td></tr>
 *   <tr><td>{@code Stack}</td><td>PUSH/POP, PUSHA/POPA, ENTER/LEAVE</td></tr>
 *   <tr><td>{@code Alu}</td><td>ADD..CMP, INC/DEC, NEG/NOT, MUL/IMUL/DIV/IDIV, XCHG, XADD, CMPXCHG(8B),
 *       BOUND</td></tr>
 *   <tr><td>{@code Shifts}</td><td>ROL ROR RCL RCR SHL SHR SAR, SHLD/SHRD</td></tr>
 *   <tr><td>{@code Bits}</td><td>BT/BTS/BTR/BTC, BSF/BSR</td></tr>
 *   <tr><td>{@code Strings}</td><td>MOVS CMPS STOS LODS SCAS INS OUTS with REP prefixes</td></tr>
 *   <tr><td>{@code ControlTransfer}</td><td>JMP/CALL/RET near and far, Jcc, LOOP, JECXZ</td></tr>
 *   <tr><td>{@code Segments}</td><td>descriptors (GDT, LDT), segment loads with privilege checks, LDS/LES/LSS,
 *       group 6 (SLDT STR LLDT LTR VERR VERW), LAR, LSL, ARPL</td></tr>
 *   <tr><td>{@code ProcessorControl}</td><td>CR and DR moves, LGDT/LIDT/SGDT/SIDT/LMSW/SMSW/INVLPG, CLTS,
 *       RDTSC, RDMSR/WRMSR, CPUID, the x87 escapes without an FPU</td></tr>
 *   <tr><td>{@code Exceptions}</td><td>IDT delivery (gate DPL, the TSS stack switch from ring 3), double and
 *       triple faults, external interrupts, INT n/INT3/INTO, IRET (also to ring 3), ring-0-only checks</td></tr>
 *   <tr><td>{@code Bcd}</td><td>DAA DAS AAA AAS AAM AAD</td></tr>
 *   <tr><td>{@code PortIo}</td><td>IN/OUT with IOPL and the TSS I/O permission bitmap</td></tr>
 *   <tr><td>{@code Mmu}</td><td>paging: page walks, TLB, accessed/dirty bits, #PF</td></tr>
 *   <tr><td>{@code StopPoints}</td><td>host entries and debugger breakpoints, marked in the decode cache</td></tr>
 *   <tr><td>{@code Translator}, {@code BlockCompiler}, {@code Block}</td><td>hot guest code to JVM bytecode: which
 *       instructions make a block, the bytecode (ASM) the block runs as (a hidden class), the block classes
 *       kept by code bytes</td></tr>
 * </table>
 *
 * <p>Each instruction has one set of semantics: the handler its opcode's case in {@code Interpreter.exec}
 * calls; the fast path calls the same handlers, and a translated block either calls them too or inlines the
 * frequent 32-bit forms with the same results, proved equal by the differential tests. The run loop around {@link dev.kjump.machine.cpu.Cpu#run} (budget,
 * time limit, debugger) is {@link dev.kjump.machine.Machine#run}.
 */
package dev.kjump.machine.cpu;
