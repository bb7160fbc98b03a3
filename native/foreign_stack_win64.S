/*
 * void cffi_call_on_stack(uintptr_t top, cffi_stack_fn fn, void *arg): Windows x64, GNU as
 * (mingw-w64); foreign_stack_win64.asm is the same for MASM. See foreign_stack.c.
 * Microsoft x64 convention: top in rcx, fn in rdx, arg in r8; fn gets arg in rcx and 32
 * bytes of home area above its return address, with rsp 16-byte aligned before the call
 * (`top` is). rbp is the frame pointer, declared in the unwind information, so a stack
 * walk (an exception, a debugger) passes from fn's frames on the reserved stack region
 * back to this function's caller on the other stack.
 */
        .text
        .p2align 4
        .globl cffi_call_on_stack
        .def cffi_call_on_stack; .scl 2; .type 32; .endef
        .seh_proc cffi_call_on_stack
cffi_call_on_stack:
        pushq %rbp
        .seh_pushreg %rbp
        movq %rsp, %rbp
        .seh_setframe %rbp, 0
        .seh_endprologue
        movq %rcx, %rsp
        subq $32, %rsp
        movq %r8, %rcx
        callq *%rdx
        leaq 0(%rbp), %rsp
        popq %rbp
        ret
        .seh_endproc
