#include "textflag.h"

// _rt0_nohupx_linux is the ELF entry point when the binary is linked with
// -ldflags=-E=_rt0_nohupx_linux. The kernel starts it with argc at 0(SP);
// the stack pointer must reach _rt0_amd64_linux unchanged. Only registers
// the runtime's entry does not read are used; SYSCALL clobbers CX and R11.
TEXT _rt0_nohupx_linux(SB),NOSPLIT|NOFRAME,$0
	// fcntl(fd, F_GETFD) fails with EBADF for a closed fd.
	MOVQ	$0, R12
fds:
	MOVQ	R12, DI
	MOVQ	$1, SI	// F_GETFD
	MOVQ	$72, AX	// SYS_fcntl
	SYSCALL
	CMPQ	AX, $-9	// -EBADF
	JNE	nextfd
	MOVL	$1, R13
	MOVQ	R12, CX
	SHLL	CX, R13
	ORL	R13, ·closed(SB)
nextfd:
	INCQ	R12
	CMPQ	R12, $3
	JLT	fds

	// rt_sigaction(sig, NULL, &scratch, 8): sa_handler is the first word.
	MOVQ	$1, R12
sigs:
	MOVQ	R12, DI
	MOVQ	$0, SI
	LEAQ	·scratch(SB), DX
	MOVQ	$8, R10
	MOVQ	$13, AX	// SYS_rt_sigaction
	SYSCALL
	CMPQ	AX, $0
	JNE	nextsig
	MOVQ	·scratch(SB), AX
	CMPQ	AX, $1	// SIG_IGN
	JNE	nextsig
	MOVQ	$1, R13
	LEAQ	-1(R12), CX
	SHLQ	CX, R13
	ORQ	R13, ·ignored(SB)
nextsig:
	INCQ	R12
	CMPQ	R12, $65
	JLT	sigs

	// rt_sigprocmask(SIG_BLOCK, NULL, &blocked, 8) reads the mask.
	MOVQ	$0, DI
	MOVQ	$0, SI
	LEAQ	·blocked(SB), DX
	MOVQ	$8, R10
	MOVQ	$14, AX	// SYS_rt_sigprocmask
	SYSCALL

	MOVL	$1, ·known(SB)
	JMP	_rt0_amd64_linux(SB)
