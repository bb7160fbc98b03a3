; void cffi_call_on_stack(uintptr_t top, cffi_stack_fn fn, void *arg): Windows x64, MASM
; (ml64, for a node-gyp build with Visual Studio); foreign_stack_win64.S is the same for
; GNU as (mingw-w64), which is the one built and run here. See foreign_stack.c.
; top in rcx, fn in rdx, arg in r8; fn gets arg in rcx and 32 bytes of home area; rbp is
; the frame pointer, declared in the unwind information so stack walks pass this frame.
_TEXT SEGMENT
cffi_call_on_stack PROC FRAME
        push rbp
        .pushreg rbp
        mov rbp, rsp
        .setframe rbp, 0
        .endprolog
        mov rsp, rcx
        sub rsp, 32
        mov rcx, r8
        call rdx
        lea rsp, [rbp]
        pop rbp
        ret
cffi_call_on_stack ENDP
_TEXT ENDS
END
