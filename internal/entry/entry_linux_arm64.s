#include "textflag.h"

// _rt0_nohupx_linux is the ELF entry point when the binary is linked with
// -ldflags=-E=_rt0_nohupx_linux. The kernel starts it with argc at 0(RSP);
// the stack pointer must reach _rt0_arm64_linux unchanged. System calls
// take their number in R8 and arguments in R0–R3, and return in R0.
TEXT _rt0_nohupx_linux(SB),NOSPLIT|NOFRAME,$0
	// fcntl(fd, F_GETFD) fails with EBADF for a closed fd.
	MOVD	$0, R9
fds:
	MOVD	R9, R0
	MOVD	$1, R1	// F_GETFD
	MOVD	$25, R8	// SYS_fcntl
	SVC
	CMP	$-9, R0	// -EBADF
	BNE	nextfd
	MOVD	$1, R10
	LSL	R9, R10, R10
	MOVD	$·closed(SB), R11
	MOVWU	(R11), R12
	ORR	R10, R12, R12
	MOVW	R12, (R11)
nextfd:
	ADD	$1, R9, R9
	CMP	$3, R9
	BLT	fds

	// rt_sigaction(sig, NULL, &scratch, 8): sa_handler is the first word.
	MOVD	$1, R9
sigs:
	MOVD	R9, R0
	MOVD	$0, R1
	MOVD	$·scratch(SB), R2
	MOVD	$8, R3
	MOVD	$134, R8	// SYS_rt_sigaction
	SVC
	CMP	$0, R0
	BNE	nextsig
	MOVD	$·scratch(SB), R11
	MOVD	(R11), R12
	CMP	$1, R12	// SIG_IGN
	BNE	nextsig
	MOVD	$1, R10
	SUB	$1, R9, R13
	LSL	R13, R10, R10
	MOVD	$·ignored(SB), R11
	MOVD	(R11), R12
	ORR	R10, R12, R12
	MOVD	R12, (R11)
nextsig:
	ADD	$1, R9, R9
	CMP	$65, R9
	BLT	sigs

	// rt_sigprocmask(SIG_BLOCK, NULL, &blocked, 8) reads the mask.
	MOVD	$0, R0
	MOVD	$0, R1
	MOVD	$·blocked(SB), R2
	MOVD	$8, R3
	MOVD	$135, R8	// SYS_rt_sigprocmask
	SVC

	MOVD	$·known(SB), R11
	MOVD	$1, R12
	MOVW	R12, (R11)
	JMP	_rt0_arm64_linux(SB)
